package io.latentflow.core.recurrent;

/**
 * Pearlmutter's R-operator (<a href="https://doi.org/10.1162/neco.1994.6.1.147">Neural Computation
 * 6(1), 1994</a>) through {@link ModRelu}: the directional derivative R{.} of its forward pass and
 * of its backward pass along a direction of the pre-activations, of the bias and of the incoming
 * gradient, as the exact Hessian-vector product of the unitary evolution RNN needs.
 *
 * <p>With rho = sqrt(|z|^2 + EPSILON^2), a = (rho + b) / rho and h = a z where rho + b &gt; 0 (h =
 * 0 elsewhere, where every derivative is 0; the ReLU's kink has measure zero and contributes
 * nothing): R rho = Re(conj(z) Rz) / rho and R a = Rb / rho - b R rho / rho^2, so R h = Ra z + a
 * Rz. The backward pass dL/dz = a g - m z, m = q b / rho^3, q = Re(conj(g) z), dL/db = q / rho, has
 * R q = Re(conj(Rg) z) + Re(conj(g) Rz), R m = (Rq b + q Rb) / rho^3 - 3 q b R rho / rho^4, R dL/dz
 * = Ra g + a Rg - Rm z - m Rz and R dL/db = Rq / rho - q R rho / rho^2. These are the second-order
 * terms of modReLU in z and b, and their cross terms.
 *
 * <p>Vectors are split as in {@link ModRelu}: real parts at {@code offset + j}, imaginary parts at
 * {@code offset + n + j}.
 */
final class ModReluTangent {
    private static final double EPSILON_SQUARED = ModRelu.EPSILON * ModRelu.EPSILON;

    private ModReluTangent() {}

    /**
     * Writes R h for the n units of one row.
     *
     * @param z pre-activations, split at {@code offset}
     * @param rz their tangents R z, split at {@code offset}
     * @param bias b at {@code biasOffset}
     * @param biasDirection R b at {@code biasOffset}
     * @param rh receives R h, split at {@code offset}
     */
    static void forward(
            double[] z,
            double[] rz,
            int offset,
            double[] bias,
            double[] biasDirection,
            int biasOffset,
            double[] rh,
            int n) {
        for (int j = 0; j < n; j++) {
            double re = z[offset + j];
            double im = z[offset + n + j];
            double rho = Math.sqrt(re * re + im * im + EPSILON_SQUARED);
            double b = bias[biasOffset + j];
            if (!(rho + b > 0)) {
                rh[offset + j] = 0;
                rh[offset + n + j] = 0;
                continue;
            }
            double rRe = rz[offset + j];
            double rIm = rz[offset + n + j];
            double rRho = (re * rRe + im * rIm) / rho;
            double a = (rho + b) / rho;
            double ra = biasDirection[biasOffset + j] / rho - b * rRho / (rho * rho);
            rh[offset + j] = ra * re + a * rRe;
            rh[offset + n + j] = ra * im + a * rIm;
        }
    }

    /**
     * Replaces g = dL/dh by dL/dz and R g by R dL/dz, and adds dL/db and R dL/db. With {@code
     * tangents} false only the value part runs (g to dL/dz, dL/db), as the Gauss-Newton product's
     * ordinary backward pass needs, and the R arrays are not read.
     *
     * @param z pre-activations, split at {@code offset}
     * @param rz R z, split at {@code offset}
     * @param bias b at {@code biasOffset}, with its direction R b beside it
     * @param gradient g, split at {@code offset}; overwritten with dL/dz
     * @param rGradient R g, split at {@code offset}; overwritten with R dL/dz
     * @param biasGradient accumulates dL/db at {@code biasOffset}
     * @param rBiasGradient accumulates R dL/db at {@code biasOffset}
     */
    static void backward(
            double[] z,
            double[] rz,
            int offset,
            double[] bias,
            double[] biasDirection,
            int biasOffset,
            double[] gradient,
            double[] rGradient,
            double[] biasGradient,
            double[] rBiasGradient,
            int n,
            boolean tangents) {
        for (int j = 0; j < n; j++) {
            int reAt = offset + j;
            int imAt = offset + n + j;
            double re = z[reAt];
            double im = z[imAt];
            double rho = Math.sqrt(re * re + im * im + EPSILON_SQUARED);
            double b = bias[biasOffset + j];
            if (!(rho + b > 0)) {
                gradient[reAt] = 0;
                gradient[imAt] = 0;
                if (tangents) {
                    rGradient[reAt] = 0;
                    rGradient[imAt] = 0;
                }
                continue;
            }
            double gRe = gradient[reAt];
            double gIm = gradient[imAt];
            double q = gRe * re + gIm * im;
            double a = (rho + b) / rho;
            double rho3 = rho * rho * rho;
            double m = q * b / rho3;
            gradient[reAt] = a * gRe - m * re;
            gradient[imAt] = a * gIm - m * im;
            biasGradient[biasOffset + j] += q / rho;
            if (!tangents) {
                continue;
            }
            double rRe = rz[reAt];
            double rIm = rz[imAt];
            double rgRe = rGradient[reAt];
            double rgIm = rGradient[imAt];
            double rb = biasDirection[biasOffset + j];
            double rRho = (re * rRe + im * rIm) / rho;
            double ra = rb / rho - b * rRho / (rho * rho);
            double rq = rgRe * re + rgIm * im + gRe * rRe + gIm * rIm;
            double rm = (rq * b + q * rb) / rho3 - 3 * q * b * rRho / (rho3 * rho);
            rGradient[reAt] = ra * gRe + a * rgRe - rm * re - m * rRe;
            rGradient[imAt] = ra * gIm + a * rgIm - rm * im - m * rIm;
            rBiasGradient[biasOffset + j] += rq / rho - q * rRho / (rho * rho);
        }
    }
}
