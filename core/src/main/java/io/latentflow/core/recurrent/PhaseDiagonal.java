package io.latentflow.core.recurrent;

/**
 * A diagonal unitary matrix D = diag(e^{i w_1}, ..., e^{i w_n}), one of the three phase factors of
 * the unitary evolution RNN (Arjovsky, Shah and Bengio, <a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>), acting on interleaved complex
 * vectors (real part at 2j, imaginary part at 2j + 1).
 *
 * <p>The cosines and sines of the phases are computed once per forward or backward pass, not once
 * per time step.
 */
final class PhaseDiagonal {
    private final double[] cosine;
    private final double[] sine;

    /**
     * Takes the phases w from {@code parameters[offset]} to {@code parameters[offset + size - 1]}.
     */
    PhaseDiagonal(double[] parameters, int offset, int size) {
        cosine = new double[size];
        sine = new double[size];
        for (int j = 0; j < size; j++) {
            cosine[j] = Math.cos(parameters[offset + j]);
            sine[j] = Math.sin(parameters[offset + j]);
        }
    }

    /** Returns cos w_j, the live array, for fused loops that must not modify it. */
    double[] cosines() {
        return cosine;
    }

    /** Returns sin w_j, the live array, for fused loops that must not modify it. */
    double[] sines() {
        return sine;
    }

    /** Replaces the interleaved vector {@code row} with D row. */
    void apply(double[] row) {
        for (int j = 0; j < cosine.length; j++) {
            double re = row[2 * j];
            double im = row[2 * j + 1];
            row[2 * j] = cosine[j] * re - sine[j] * im;
            row[2 * j + 1] = sine[j] * re + cosine[j] * im;
        }
    }

    /**
     * Writes D h into the interleaved {@code row}, with h given as separate real and imaginary
     * parts: {@code split[offset + j]} and {@code split[offset + n + j]}.
     */
    void applyToSplit(double[] split, int offset, double[] row) {
        int n = cosine.length;
        for (int j = 0; j < n; j++) {
            double re = split[offset + j];
            double im = split[offset + n + j];
            row[2 * j] = cosine[j] * re - sine[j] * im;
            row[2 * j + 1] = sine[j] * re + cosine[j] * im;
        }
    }

    /** Replaces the interleaved vector {@code row} with D^H row = D^-1 row. */
    void applyConjugate(double[] row) {
        for (int j = 0; j < cosine.length; j++) {
            double re = row[2 * j];
            double im = row[2 * j + 1];
            row[2 * j] = cosine[j] * re + sine[j] * im;
            row[2 * j + 1] = -sine[j] * re + cosine[j] * im;
        }
    }

    /**
     * Adds the gradient of the loss with respect to the phases to {@code phaseGradient[offset..]}.
     *
     * <p>With y = D x, dy_j / dw_j = i y_j, so dL/dw_j = g_re (-y_im) + g_im y_re, where g = dL/dRe
     * y + i dL/dIm y is the gradient at the output.
     *
     * @param output y = D x, interleaved
     * @param outputGradient g, interleaved
     */
    static void accumulateGradient(
            double[] output, double[] outputGradient, double[] phaseGradient, int offset) {
        int n = output.length / 2;
        for (int j = 0; j < n; j++) {
            phaseGradient[offset + j] +=
                    outputGradient[2 * j + 1] * output[2 * j]
                            - outputGradient[2 * j] * output[2 * j + 1];
        }
    }
}
