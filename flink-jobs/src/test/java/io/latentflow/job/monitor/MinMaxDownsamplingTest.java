package io.latentflow.job.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MinMaxDownsamplingTest {

    @Test
    void aSeriesWithinTheLimitIsKeptWhole() {
        double[] values = {3, 1, 4, 1, 5};

        assertArrayEquals(new int[] {1, 2, 3}, MinMaxDownsampling.keptPositions(values, 1, 4, 10));
    }

    @Test
    void aLongSeriesKeepsItsFirstAndLastPointAndStaysWithinTheLimit() {
        double[] values = randomWalk(100_000, 7);

        int[] kept = MinMaxDownsampling.keptPositions(values, 0, values.length, 500);

        assertTrue(kept.length <= 500, "kept " + kept.length);
        assertTrue(kept.length >= 400, "kept only " + kept.length);
        assertEquals(0, kept[0]);
        assertEquals(values.length - 1, kept[kept.length - 1]);
    }

    @Test
    void theSmallestAndLargestValuesSurviveDownsampling() {
        double[] values = randomWalk(10_000, 11);
        values[4321] = -1e6;
        values[8765] = 1e6;

        int[] kept = MinMaxDownsampling.keptPositions(values, 0, values.length, 50);

        assertTrue(Arrays.binarySearch(kept, 4321) >= 0, "the minimum was dropped");
        assertTrue(Arrays.binarySearch(kept, 8765) >= 0, "the maximum was dropped");
    }

    @Test
    void everyBucketKeepsItsOwnExtremesInStepOrder() {
        // Two buckets of four interior points each: 1..4 and 5..8.
        double[] values = {0, 5, 9, 2, 7, 1, 8, 3, 6, 4};

        int[] kept = MinMaxDownsampling.keptPositions(values, 0, values.length, 6);

        assertArrayEquals(new int[] {0, 2, 3, 5, 6, 9}, kept);
    }

    @Test
    void aBucketWithoutFiniteValuesKeepsOnePointSoTheGapStays() {
        double[] values = {1, Double.NaN, Double.NaN, 2, 3, 4, 5, 6, 7, 8};

        // Three buckets of interior points: {1, 2}, {3, 4, 5}, {6, 7, 8}.
        int[] kept = MinMaxDownsampling.keptPositions(values, 0, values.length, 8);

        assertArrayEquals(new int[] {0, 1, 3, 5, 6, 8, 9}, kept);
    }

    @Test
    void fewerThanTwoPointsIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> MinMaxDownsampling.keptPositions(new double[10], 0, 10, 1));
    }

    private static double[] randomWalk(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[length];
        for (int i = 1; i < length; i++) {
            values[i] = values[i - 1] + random.nextGaussian();
        }
        return values;
    }
}
