package io.latentflow.core.recurrent;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * The unitary discrete Fourier transform F of the unitary evolution RNN (Arjovsky, Shah and Bengio,
 * <a href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>), in O(n log n) through
 * JTransforms.
 *
 * <p>(F x)_k = sum_j x_j e^{-2 pi i j k / n} / sqrt(n), and F^-1 = F^H has the opposite sign in the
 * exponent. Both scale by 1 / sqrt(n), so that each preserves the norm. Vectors are interleaved:
 * the real part of entry j at 2j, its imaginary part at 2j + 1, the layout JTransforms works on in
 * place.
 *
 * <p>Instances are not thread-safe.
 */
final class UnitaryDft {
    private final int size;
    private final double scale;
    private final DoubleFFT_1D transform;

    /**
     * Plans the transform of vectors of the given length.
     *
     * @param size number of complex entries n, at least 1
     */
    UnitaryDft(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1: " + size);
        }
        this.size = size;
        this.scale = 1 / Math.sqrt(size);
        this.transform = new DoubleFFT_1D(size);
    }

    /** Replaces the interleaved vector at {@code offset} of {@code row} with F applied to it. */
    void forward(double[] row, int offset) {
        transform.complexForward(row, offset);
        scale(row, offset);
    }

    /** Replaces the interleaved vector at {@code offset} of {@code row} with F^-1 applied to it. */
    void inverse(double[] row, int offset) {
        transform.complexInverse(row, offset, false);
        scale(row, offset);
    }

    /** Returns 1 / sqrt(n), the scaling of F and F^-1 that the unscaled transforms leave out. */
    double scale() {
        return scale;
    }

    /**
     * Replaces the interleaved vector at {@code offset} of {@code row} with sqrt(n) F applied to
     * it, for callers that fold the 1 / sqrt(n) into an adjacent loop.
     */
    void forwardUnscaled(double[] row, int offset) {
        transform.complexForward(row, offset);
    }

    /**
     * Replaces the interleaved vector at {@code offset} of {@code row} with sqrt(n) F^-1 applied to
     * it, for callers that fold the 1 / sqrt(n) into an adjacent loop.
     */
    void inverseUnscaled(double[] row, int offset) {
        transform.complexInverse(row, offset, false);
    }

    private void scale(double[] row, int offset) {
        for (int i = offset; i < offset + 2 * size; i++) {
            row[i] *= scale;
        }
    }
}
