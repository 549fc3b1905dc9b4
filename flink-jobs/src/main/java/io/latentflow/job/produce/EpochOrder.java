package io.latentflow.job.produce;

import java.util.SplittableRandom;

/**
 * The order in which the {@link DataSampleProducer} visits a dataset: epoch after epoch, each epoch
 * a permutation of all indices.
 *
 * <p>The permutation of epoch {@code e} is a Fisher-Yates shuffle of {@code 0 .. size - 1}: for
 * {@code i} from {@code size - 1} down to 1, swap position {@code i} with position {@code
 * random.nextInt(i + 1)}, where {@code random} is {@code new
 * SplittableRandom(SplitMix64.derive(seed ^ DATA_ORDER_SALT, e))}. Each epoch's order depends on
 * the seed and the epoch alone, so a stream restarted at any sequence number continues exactly
 * where it would have been.
 */
public final class EpochOrder {

    /**
     * Separates the data order from the latent draws: a run that uses one seed for both streams
     * would otherwise shuffle epoch {@code e} with the generator of latent sequence {@code e}.
     */
    public static final long DATA_ORDER_SALT = 0x6c61_7465_6e74_666cL;

    private final long seed;
    private final int size;
    private long cachedEpoch = -1;
    private int[] cachedPermutation;

    /**
     * Creates the order of a dataset.
     *
     * @param seed the seed of the run's data order
     * @param size the number of examples in the dataset, at least 1
     */
    public EpochOrder(long seed, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("A dataset needs at least one example, had " + size);
        }
        this.seed = seed;
        this.size = size;
    }

    /**
     * Returns the permutation of one epoch: position {@code i} holds the dataset index visited
     * {@code i}-th in that epoch.
     *
     * @param seed the seed of the run's data order
     * @param epoch the epoch, counting from 0
     * @param size the number of examples in the dataset
     */
    public static int[] permutation(long seed, long epoch, int size) {
        if (epoch < 0) {
            throw new IllegalArgumentException("Epochs count from 0, was " + epoch);
        }
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        SplittableRandom random =
                new SplittableRandom(SplitMix64.derive(seed ^ DATA_ORDER_SALT, epoch));
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swapped = order[i];
            order[i] = order[j];
            order[j] = swapped;
        }
        return order;
    }

    /**
     * Returns the dataset index of a position in the stream: epoch {@code sequence / size},
     * position {@code sequence % size} within it. Sequential calls reuse the epoch's permutation.
     *
     * @param sequence the position in the stream, counting from 0
     */
    public int indexAt(long sequence) {
        if (sequence < 0) {
            throw new IllegalArgumentException("Sequence numbers count from 0, was " + sequence);
        }
        long epoch = sequence / size;
        if (epoch != cachedEpoch) {
            cachedPermutation = permutation(seed, epoch, size);
            cachedEpoch = epoch;
        }
        return cachedPermutation[(int) (sequence % size)];
    }

    /** Returns the number of examples in the dataset, the length of each epoch. */
    public int size() {
        return size;
    }
}
