package io.latentflow.core.recurrent;

/**
 * The modReLU nonlinearity of the unitary evolution RNN (Arjovsky, Shah and Bengio, <a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>): modReLU(z) = ReLU(|z| + b) z /
 * |z|, which keeps the phase of each complex unit and shifts its modulus by a learned bias b.
 *
 * <p>The modulus is computed as rho = sqrt(|z|^2 + EPSILON^2) in both places, so the function is
 * smooth away from the ReLU's kink, equals 0 at z = 0, and has a finite Jacobian there (of size
 * ReLU(b + EPSILON) / EPSILON). EPSILON = 1e-5 is chosen because rho - |z| is about EPSILON^2 / (2
 * |z|): at a typical |z| of 1 / sqrt(128) (a unit-norm state over 128 units) that is a relative
 * change of 6e-9, below float32 resolution, and at |z| = 1e-3 still only 5e-5; while the Jacobian
 * near 0 stays bounded by (b + 1e-5) / 1e-5, where a smaller epsilon would let it grow without
 * need. The form z / (|z| + epsilon) was not used because |z| itself has no derivative at 0.
 *
 * <p>Vectors here are split: real parts at {@code offset + j}, imaginary parts at {@code offset + n
 * + j}.
 */
public final class ModRelu {
    /** The epsilon in rho = sqrt(|z|^2 + EPSILON^2). */
    public static final double EPSILON = 1e-5;

    private static final double EPSILON_SQUARED = EPSILON * EPSILON;

    private ModRelu() {}

    /**
     * Writes modReLU(z) for the n units of one example.
     *
     * @param z pre-activations, split at {@code offset}
     * @param bias b, n entries at {@code biasOffset}
     * @param h output, split at {@code offset}
     */
    public static void forward(
            double[] z, int offset, double[] bias, int biasOffset, double[] h, int n) {
        for (int j = 0; j < n; j++) {
            double re = z[offset + j];
            double im = z[offset + n + j];
            double scale = gain(re, im, bias[biasOffset + j]);
            h[offset + j] = scale * re;
            h[offset + n + j] = scale * im;
        }
    }

    /**
     * As {@link #forward}, after adding an interleaved complex vector w (real part of unit j at 2j,
     * imaginary part at 2j + 1) to z in place: z += w, h = modReLU(z), in one loop.
     */
    static void addAndForward(
            double[] w, double[] z, int offset, double[] bias, int biasOffset, double[] h, int n) {
        for (int j = 0; j < n; j++) {
            double re = z[offset + j] + w[2 * j];
            double im = z[offset + n + j] + w[2 * j + 1];
            z[offset + j] = re;
            z[offset + n + j] = im;
            double scale = gain(re, im, bias[biasOffset + j]);
            h[offset + j] = scale * re;
            h[offset + n + j] = scale * im;
        }
    }

    /** Returns a = ReLU(rho + b) / rho, so that modReLU(z) = a z. */
    private static double gain(double re, double im, double b) {
        double rho = Math.sqrt(re * re + im * im + EPSILON_SQUARED);
        double shifted = rho + b;
        return shifted > 0 ? shifted / rho : 0;
    }

    /**
     * Replaces the gradient with respect to h = modReLU(z) by the gradient with respect to z, and
     * adds the gradient with respect to b.
     *
     * <p>With rho as above, h = a z for a = (rho + b) / rho where rho + b > 0, and h = 0 elsewhere.
     * For q = Re(conj(g) z): dL/dz = a g - q b z / rho^3 and dL/db = q / rho where active; both 0
     * elsewhere.
     *
     * @param z pre-activations, split at {@code offset}
     * @param bias b, n entries at {@code biasOffset}
     * @param gradient dL/dRe h and dL/dIm h, split at {@code offset}; overwritten with those of z
     * @param biasGradient accumulator for dL/db, n entries at {@code biasOffset}
     */
    public static void backward(
            double[] z,
            int offset,
            double[] bias,
            int biasOffset,
            double[] gradient,
            double[] biasGradient,
            int n) {
        backward(z, offset, bias, biasOffset, gradient, biasGradient, n, null);
    }

    /**
     * As {@link #backward(double[], int, double[], int, double[], double[], int)}, and where {@code
     * interleaved} is not null, also writes the gradient with respect to z there interleaved (real
     * part of unit j at 2j, imaginary part at 2j + 1), in the same loop.
     */
    static void backward(
            double[] z,
            int offset,
            double[] bias,
            int biasOffset,
            double[] gradient,
            double[] biasGradient,
            int n,
            double[] interleaved) {
        for (int j = 0; j < n; j++) {

            double re = z[offset + j];
            double im = z[offset + n + j];
            double rho = Math.sqrt(re * re + im * im + EPSILON_SQUARED);
            double b = bias[biasOffset + j];
            if (rho + b > 0) {
                double gRe = gradient[offset + j];
                double gIm = gradient[offset + n + j];
                double q = gRe * re + gIm * im;
                double scale = (rho + b) / rho;
                double radial = q * b / (rho * rho * rho);
                double outRe = scale * gRe - radial * re;
                double outIm = scale * gIm - radial * im;
                gradient[offset + j] = outRe;
                gradient[offset + n + j] = outIm;
                biasGradient[biasOffset + j] += q / rho;
                if (interleaved != null) {
                    interleaved[2 * j] = outRe;
                    interleaved[2 * j + 1] = outIm;
                }
            } else {
                gradient[offset + j] = 0;
                gradient[offset + n + j] = 0;
                if (interleaved != null) {
                    interleaved[2 * j] = 0;
                    interleaved[2 * j + 1] = 0;
                }
            }
        }
    }
}
