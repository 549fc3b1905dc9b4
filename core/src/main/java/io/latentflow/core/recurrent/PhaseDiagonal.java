package io.latentflow.core.recurrent;

/**
 * A diagonal unitary matrix D = diag(e^{i w_1}, ..., e^{i w_n}), one of the three phase factors of
 * the unitary evolution RNN (Arjovsky, Shah and Bengio, <a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>), acting on interleaved complex
 * vectors (real part at 2j, imaginary part at 2j + 1).
 *
 * <p>The cosines and sines of the phases are computed once per forward or backward pass, not once
 * per time step; {@link UnitaryFactorChain} applies D in loops fused with its neighbours. With y =
 * D x, dy_j / dw_j = i y_j, so the phase gradient is dL/dw_j = g_im y_re - g_re y_im for g = dL/dRe
 * y + i dL/dIm y at the output.
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
}
