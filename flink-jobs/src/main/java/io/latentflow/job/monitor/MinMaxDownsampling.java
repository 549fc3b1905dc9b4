package io.latentflow.job.monitor;

import java.util.Arrays;

/**
 * Thins a long series for drawing by keeping, in each of equal-width buckets of consecutive points,
 * the point with the smallest and the point with the largest value, plus the first and last point
 * of the series.
 *
 * <p>A line drawn through the kept points reaches every peak and trough that a line through all
 * points would, because every extreme of the series is the extreme of its own bucket; only the
 * shape between extremes is simplified. Values that are not finite cannot be an extreme; a bucket
 * without a finite value keeps its first point, so that a gap in the series stays a gap.
 */
public final class MinMaxDownsampling {

    private MinMaxDownsampling() {}

    /**
     * Returns the positions to keep, in increasing order.
     *
     * @param values the series, in step order
     * @param from the first position to consider
     * @param to one past the last position to consider
     * @param maxPoints the most positions to return, at least 2
     * @return every position from {@code from} to {@code to} if there are at most {@code
     *     maxPoints}, else at most {@code maxPoints} of them, the first and the last included
     */
    public static int[] keptPositions(double[] values, int from, int to, int maxPoints) {
        if (maxPoints < 2) {
            throw new IllegalArgumentException("maxPoints must be at least 2, was " + maxPoints);
        }
        if (from < 0 || to > values.length || from > to) {
            throw new IllegalArgumentException(
                    "Range [" + from + ", " + to + ") is not within 0.." + values.length);
        }
        int count = to - from;
        if (count <= maxPoints) {
            int[] all = new int[count];
            Arrays.setAll(all, i -> from + i);
            return all;
        }

        // The first and the last point are kept on their own; the rest share the buckets.
        int buckets = (maxPoints - 2) / 2;
        int[] kept = new int[2 + 2 * buckets];
        int size = 0;
        kept[size++] = from;
        int interiorStart = from + 1;
        int interiorCount = count - 2;
        for (int bucket = 0; bucket < buckets; bucket++) {
            int start = interiorStart + (int) ((long) interiorCount * bucket / buckets);
            int end = interiorStart + (int) ((long) interiorCount * (bucket + 1) / buckets);
            size = keepExtremes(values, start, end, kept, size);
        }
        kept[size++] = to - 1;
        return Arrays.copyOf(kept, size);
    }

    /** Appends the positions of the bucket's smallest and largest finite value, in order. */
    private static int keepExtremes(double[] values, int start, int end, int[] kept, int size) {
        int smallest = -1;
        int largest = -1;
        for (int i = start; i < end; i++) {
            double value = values[i];
            if (!Double.isFinite(value)) {
                continue;
            }
            if (smallest < 0 || value < values[smallest]) {
                smallest = i;
            }
            if (largest < 0 || value > values[largest]) {
                largest = i;
            }
        }
        if (smallest < 0) {
            if (start < end) {
                kept[size++] = start;
            }
            return size;
        }
        kept[size++] = Math.min(smallest, largest);
        if (smallest != largest) {
            kept[size++] = Math.max(smallest, largest);
        }
        return size;
    }
}
