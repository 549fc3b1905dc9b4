package io.latentflow.core.recurrent;

/**
 * A complex Householder reflection R = I - 2 v v^H / |v|^2, one of the two reflection factors of
 * the unitary evolution RNN (Arjovsky, Shah and Bengio, <a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>), acting on interleaved complex
 * vectors (real part at 2j, imaginary part at 2j + 1) in O(n).
 *
 * <p>R is Hermitian and unitary, so R^H = R^-1 = R and the backward pass applies R itself.
 */
final class HouseholderReflection {
    private final double[] vector;
    private final double squaredNorm;

    /**
     * Takes v from the real parts {@code parameters[realOffset..realOffset + size - 1]} and the
     * imaginary parts {@code parameters[imaginaryOffset..]}.
     *
     * @throws IllegalArgumentException where v is zero, which defines no reflection
     */
    HouseholderReflection(double[] parameters, int realOffset, int imaginaryOffset, int size) {
        vector = new double[2 * size];
        double norm = 0;
        for (int j = 0; j < size; j++) {
            double re = parameters[realOffset + j];
            double im = parameters[imaginaryOffset + j];
            vector[2 * j] = re;
            vector[2 * j + 1] = im;
            norm += re * re + im * im;
        }
        if (!(norm > 0)) {
            throw new IllegalArgumentException("a reflection vector must not be zero: " + norm);
        }
        squaredNorm = norm;
    }

    /** Returns v, interleaved, the live array, for fused loops that must not modify it. */
    double[] vector() {
        return vector;
    }

    /** Returns |v|^2. */
    double squaredNorm() {
        return squaredNorm;
    }

    /**
     * Backpropagates through y = R x for callers that have the dot products a = v^H x and c = v^H g
     * already, from a loop fused with other factors: adds the gradient with respect to v to {@code
     * vectorGradient} and replaces {@code gradient} with {@code outputScale} R g.
     *
     * <p>With beta = |v|^2, the gradient of y = x - 2 v a / beta with respect to v (real part + i
     * imaginary part) is -2 / beta (conj(a) g + conj(c) x - 2 Re(conj(c) a) v / beta).
     *
     * @param input holds x, interleaved, at {@code inputOffset}
     * @param outputScale a factor folded into the output, such as a following DFT's 1 / sqrt(n)
     */
    void finishBackward(
            double aRe,
            double aIm,
            double cRe,
            double cIm,
            double[] input,
            int inputOffset,
            double[] gradient,
            double[] vectorGradient,
            double outputScale) {
        double[] v = vector;
        double scale = -2 / squaredNorm;
        // Re(conj(c) a)
        double projection = cRe * aRe + cIm * aIm;
        double along = -2 * projection / squaredNorm;
        double twoOverBeta = 2 / squaredNorm;
        // The coefficients below carry the factors -2 / beta, 2 / beta and outputScale.
        double scaledARe = scale * aRe;
        double scaledAIm = scale * aIm;
        double scaledCRe = scale * cRe;
        double scaledCIm = scale * cIm;
        double scaledAlong = scale * along;
        double reflectedCRe = outputScale * twoOverBeta * cRe;
        double reflectedCIm = outputScale * twoOverBeta * cIm;
        for (int i = 0; i < v.length; i += 2) {
            double gRe = gradient[i];
            double gIm = gradient[i + 1];
            double xRe = input[inputOffset + i];
            double xIm = input[inputOffset + i + 1];
            // -2 / beta (conj(a) g + conj(c) x + along v)
            vectorGradient[i] +=
                    (scaledARe * gRe + scaledAIm * gIm)
                            + (scaledCRe * xRe + scaledCIm * xIm)
                            + scaledAlong * v[i];
            vectorGradient[i + 1] +=
                    (scaledARe * gIm - scaledAIm * gRe)
                            + (scaledCRe * xIm - scaledCIm * xRe)
                            + scaledAlong * v[i + 1];
            // outputScale R g = outputScale (g - 2 v c / beta)
            gradient[i] = outputScale * gRe - (reflectedCRe * v[i] - reflectedCIm * v[i + 1]);
            gradient[i + 1] = outputScale * gIm - (reflectedCRe * v[i + 1] + reflectedCIm * v[i]);
        }
    }
}
