package io.latentflow.job.produce;

/**
 * Derives independent, reproducible seeds from a run's seed and a position in a stream, with the
 * output function of Steele, Lea and Flood's SplitMix64 generator (<a
 * href="https://doi.org/10.1145/2714064.2660195">Fast splittable pseudorandom number
 * generators</a>, OOPSLA 2014).
 *
 * <p>These functions are part of the replay contract: the data order and the latent draws of a run
 * are recomputed from them, so their results must never change.
 */
public final class SplitMix64 {

    /** The odd constant 2^64 / phi that SplitMix64 adds per step. */
    public static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private SplitMix64() {}

    /**
     * Returns SplitMix64's finalizer of a value: a bijection of the 64-bit integers that spreads
     * each input bit over the whole output.
     */
    public static long mix(long value) {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Returns the seed of position {@code index} in the stream of {@code seed}: {@code
     * mix(mix(seed) + index * GOLDEN_GAMMA)}.
     *
     * <p>Mixing the seed first keeps runs with nearby seeds (42, 43, ...) from sharing positions of
     * their streams, which {@code mix(seed + index * GOLDEN_GAMMA)} alone would do for seeds that
     * differ by a multiple of the gamma.
     */
    public static long derive(long seed, long index) {
        return mix(mix(seed) + index * GOLDEN_GAMMA);
    }
}
