package io.latentflow.core.recurrent;

/**
 * Pearlmutter's R-operator through the uRNN's recurrent matrix W = D3 R2 F^-1 D2 P R1 F D1
 * (Arjovsky, Shah and Bengio, <a href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>),
 * factor by factor, for one interleaved complex vector at a time (real part at 2j, imaginary part
 * at 2j + 1): the forward pass y = W x with its tangent R y along a direction of x and of the
 * parameters, and the backward pass with its tangent, which together give the exact Hessian-vector
 * product by forward-over-reverse.
 *
 * <p>Per factor, with R the directional derivative along the direction set by {@link
 * #setDirection}:
 *
 * <ul>
 *   <li>F, F^-1 and P are fixed and linear: R y = A R x, and the backward pass applies A^H to g and
 *       to R g alike.
 *   <li>A phase diagonal y = e^{i w} x (per entry): R y = e^{i w} R x + i Rw y. Backward g_x =
 *       e^{-i w} g, R g_x = e^{-i w} (R g - i Rw g), dL/dw = Re(conj(g) i y), R dL/dw = Re(conj(Rg)
 *       i y) + Re(conj(g) i Ry).
 *   <li>A reflection y = x - v s, s = 2 a / beta, a = v^H x, beta = |v|^2: R beta = 2 Re(v^H Rv), R
 *       a = Rv^H x + v^H R x, R s = 2 Ra / beta - 2 a R beta / beta^2, R y = R x - Rv s - v Rs.
 *       Backward with c = v^H g: g_x = g - v t, t = 2 c / beta, and its R as for y; dL/dv = kappa E
 *       with kappa = -2 / beta, E = conj(a) g + conj(c) x - 2 p v / beta, p = Re(conj(c) a), and R
 *       dL/dv = R kappa E + kappa R E, every factor of E differentiated by the product rule.
 * </ul>
 *
 * <p>The forward pass keeps the input of every factor and its tangent, nine vectors of 2n each, for
 * the backward pass of the same vector. Instances are not thread-safe.
 */
final class UnitaryFactorChainTangent {
    private static final int FACTORS = 8;

    private final UnitaryEvolutionRnnLayout layout;
    private final int n;
    private final int[] permutation;
    private final UnitaryDft dft;
    private final double[][] cosine = new double[3][];
    private final double[][] sine = new double[3][];
    private final double[][] reflection = new double[2][];
    private final double[] squaredNorm = new double[2];
    private final double[][] phaseDirection = new double[3][];
    private final double[][] reflectionDirection = new double[2][];
    private final double[] squaredNormDirection = new double[2];
    private final double[][] values = new double[FACTORS + 1][];
    private final double[][] tangents = new double[FACTORS + 1][];
    private final double[] scratch;

    /** Takes the factors' values from {@code parameters}, laid out by {@code layout}. */
    UnitaryFactorChainTangent(
            double[] parameters,
            UnitaryEvolutionRnnLayout layout,
            int[] permutation,
            UnitaryDft dft) {
        this.layout = layout;
        this.n = layout.hiddenSize();
        this.permutation = permutation;
        this.dft = dft;
        for (int d = 0; d < 3; d++) {
            cosine[d] = new double[n];
            sine[d] = new double[n];
            phaseDirection[d] = new double[n];
            int offset = layout.phase(d + 1);
            for (int j = 0; j < n; j++) {
                cosine[d][j] = Math.cos(parameters[offset + j]);
                sine[d][j] = Math.sin(parameters[offset + j]);
            }
        }
        for (int r = 0; r < 2; r++) {
            reflection[r] = interleaved(parameters, r + 1);
            reflectionDirection[r] = new double[2 * n];
            squaredNorm[r] = dotReal(reflection[r], reflection[r]);
            if (!(squaredNorm[r] > 0)) {
                throw new IllegalArgumentException(
                        "a reflection vector must not be zero: " + squaredNorm[r]);
            }
        }
        for (int k = 0; k <= FACTORS; k++) {
            values[k] = new double[2 * n];
            tangents[k] = new double[2 * n];
        }
        scratch = new double[2 * n];
    }

    private double[] interleaved(double[] vector, int factor) {
        int real = layout.reflectionReal(factor);
        int imaginary = layout.reflectionImaginary(factor);
        double[] result = new double[2 * n];
        for (int j = 0; j < n; j++) {
            result[2 * j] = vector[real + j];
            result[2 * j + 1] = vector[imaginary + j];
        }
        return result;
    }

    /** Takes the direction of the phases and reflection vectors from a parameter direction. */
    void setDirection(double[] direction) {
        for (int d = 0; d < 3; d++) {
            System.arraycopy(direction, layout.phase(d + 1), phaseDirection[d], 0, n);
        }
        for (int r = 0; r < 2; r++) {
            double[] u = interleaved(direction, r + 1);
            System.arraycopy(u, 0, reflectionDirection[r], 0, 2 * n);
            squaredNormDirection[r] = 2 * dotReal(reflection[r], u);
        }
    }

    /** Returns W x after {@link #forward}, interleaved; read-only. */
    double[] output() {
        return values[FACTORS];
    }

    /** Returns R (W x) after {@link #forward} with tangents, interleaved; read-only. */
    double[] outputTangent() {
        return tangents[FACTORS];
    }

    /**
     * Applies W to x, split at {@code offset} of {@code split} (real parts, then imaginary), and
     * with {@code withTangents} its tangent to R x, split at {@code tangentOffset} of {@code
     * tangentSplit}; keeps every factor's input for {@link #backward}.
     */
    void forward(
            double[] split,
            int offset,
            double[] tangentSplit,
            int tangentOffset,
            boolean withTangents) {
        for (int j = 0; j < n; j++) {
            values[0][2 * j] = split[offset + j];
            values[0][2 * j + 1] = split[offset + n + j];
            if (withTangents) {
                tangents[0][2 * j] = tangentSplit[tangentOffset + j];
                tangents[0][2 * j + 1] = tangentSplit[tangentOffset + n + j];
            }
        }
        for (int k = 0; k < FACTORS; k++) {
            System.arraycopy(values[k], 0, values[k + 1], 0, 2 * n);
            if (withTangents) {
                System.arraycopy(tangents[k], 0, tangents[k + 1], 0, 2 * n);
            }
            applyFactor(k, values[k + 1], withTangents ? tangents[k + 1] : null, values[k]);
        }
    }

    /** Replaces y (and R y) with factor k applied; x and R x are factor k's input. */
    private void applyFactor(int k, double[] y, double[] ry, double[] x) {
        switch (k) {
            case 0, 4, 7 -> phaseForward(phaseIndex(k), y, ry);
            case 1 -> {
                dft.forward(y, 0);
                if (ry != null) {
                    dft.forward(ry, 0);
                }
            }
            case 5 -> {
                dft.inverse(y, 0);
                if (ry != null) {
                    dft.inverse(ry, 0);
                }
            }
            case 3 -> {
                permute(y);
                if (ry != null) {
                    permute(ry);
                }
            }
            default -> reflectionForward(k == 2 ? 0 : 1, x, y, ry);
        }
    }

    private static int phaseIndex(int factor) {
        return factor == 0 ? 0 : factor == 4 ? 1 : 2;
    }

    /**
     * Backpropagates through the factors of the last {@link #forward}: replaces g = dL/dRe y + i
     * dL/dIm y with W^H g and, with {@code withTangents}, R g with R (W^H g), and adds the phases'
     * and reflection vectors' gradients to {@code gradient} and their R to {@code rGradient}, at
     * the layout's offsets.
     */
    void backward(
            double[] g, double[] rg, double[] gradient, double[] rGradient, boolean withTangents) {
        double[] rgOrNull = withTangents ? rg : null;
        for (int k = FACTORS - 1; k >= 0; k--) {
            switch (k) {
                case 0, 4, 7 -> phaseBackward(phaseIndex(k), k, g, rgOrNull, gradient, rGradient);
                case 1 -> {
                    dft.inverse(g, 0);
                    if (withTangents) {
                        dft.inverse(rg, 0);
                    }
                }
                case 5 -> {
                    dft.forward(g, 0);
                    if (withTangents) {
                        dft.forward(rg, 0);
                    }
                }
                case 3 -> {
                    permuteBack(g);
                    if (withTangents) {
                        permuteBack(rg);
                    }
                }
                default -> reflectionBackward(k == 2 ? 0 : 1, k, g, rgOrNull, gradient, rGradient);
            }
        }
    }

    private void phaseForward(int d, double[] y, double[] ry) {
        double[] c = cosine[d];
        double[] s = sine[d];
        for (int j = 0; j < n; j++) {
            double re = y[2 * j];
            double im = y[2 * j + 1];
            double outRe = c[j] * re - s[j] * im;
            double outIm = s[j] * re + c[j] * im;
            y[2 * j] = outRe;
            y[2 * j + 1] = outIm;
            if (ry != null) {
                // R y = e^{i w} R x + i Rw y
                double w = phaseDirection[d][j];
                double rRe = ry[2 * j];
                double rIm = ry[2 * j + 1];
                ry[2 * j] = c[j] * rRe - s[j] * rIm - w * outIm;
                ry[2 * j + 1] = s[j] * rRe + c[j] * rIm + w * outRe;
            }
        }
    }

    private void phaseBackward(
            int d, int k, double[] g, double[] rg, double[] gradient, double[] rGradient) {
        double[] c = cosine[d];
        double[] s = sine[d];
        double[] y = values[k + 1];
        double[] ry = tangents[k + 1];
        int offset = layout.phase(d + 1);
        for (int j = 0; j < n; j++) {
            double gRe = g[2 * j];
            double gIm = g[2 * j + 1];
            gradient[offset + j] += gIm * y[2 * j] - gRe * y[2 * j + 1];
            g[2 * j] = c[j] * gRe + s[j] * gIm;
            g[2 * j + 1] = -s[j] * gRe + c[j] * gIm;
            if (rg != null) {
                double rgRe = rg[2 * j];
                double rgIm = rg[2 * j + 1];
                rGradient[offset + j] +=
                        rgIm * y[2 * j]
                                + gIm * ry[2 * j]
                                - rgRe * y[2 * j + 1]
                                - gRe * ry[2 * j + 1];
                // R g_x = e^{-i w} (R g - i Rw g)
                double w = phaseDirection[d][j];
                double pRe = rgRe + w * gIm;
                double pIm = rgIm - w * gRe;
                rg[2 * j] = c[j] * pRe + s[j] * pIm;
                rg[2 * j + 1] = -s[j] * pRe + c[j] * pIm;
            }
        }
    }

    private void reflectionForward(int r, double[] x, double[] y, double[] ry) {
        double[] v = reflection[r];
        double beta = squaredNorm[r];
        double aRe = dotReal(v, x);
        double aIm = dotImaginary(v, x);
        double sRe = 2 * aRe / beta;
        double sIm = 2 * aIm / beta;
        double rsRe = 0;
        double rsIm = 0;
        double[] u = reflectionDirection[r];
        if (ry != null) {
            double[] rx = tangents[r == 0 ? 2 : 6];
            double raRe = dotReal(u, x) + dotReal(v, rx);
            double raIm = dotImaginary(u, x) + dotImaginary(v, rx);
            double rBeta = squaredNormDirection[r];
            rsRe = 2 * raRe / beta - 2 * aRe * rBeta / (beta * beta);
            rsIm = 2 * raIm / beta - 2 * aIm * rBeta / (beta * beta);
        }
        for (int i = 0; i < 2 * n; i += 2) {
            y[i] -= sRe * v[i] - sIm * v[i + 1];
            y[i + 1] -= sRe * v[i + 1] + sIm * v[i];
            if (ry != null) {
                // R y = R x - Rv s - v Rs, where ry already holds R x
                ry[i] -= sRe * u[i] - sIm * u[i + 1] + rsRe * v[i] - rsIm * v[i + 1];
                ry[i + 1] -= sRe * u[i + 1] + sIm * u[i] + rsRe * v[i + 1] + rsIm * v[i];
            }
        }
    }

    private void reflectionBackward(
            int r, int k, double[] g, double[] rg, double[] gradient, double[] rGradient) {
        double[] v = reflection[r];
        double[] x = values[k];
        double beta = squaredNorm[r];
        double aRe = dotReal(v, x);
        double aIm = dotImaginary(v, x);
        double cRe = dotReal(v, g);
        double cIm = dotImaginary(v, g);
        double p = cRe * aRe + cIm * aIm;
        double kappa = -2 / beta;
        double along = -2 * p / beta;
        int real = layout.reflectionReal(r + 1);
        int imaginary = layout.reflectionImaginary(r + 1);
        double tRe = 2 * cRe / beta;
        double tIm = 2 * cIm / beta;

        double[] u = reflectionDirection[r];
        double[] rx = tangents[k];
        double raRe = 0;
        double raIm = 0;
        double rcRe = 0;
        double rcIm = 0;
        double rBeta = 0;
        double rtRe = 0;
        double rtIm = 0;
        double rKappa = 0;
        double rAlong = 0;
        if (rg != null) {
            raRe = dotReal(u, x) + dotReal(v, rx);
            raIm = dotImaginary(u, x) + dotImaginary(v, rx);
            rcRe = dotReal(u, g) + dotReal(v, rg);
            rcIm = dotImaginary(u, g) + dotImaginary(v, rg);
            rBeta = squaredNormDirection[r];
            double beta2 = beta * beta;
            rtRe = 2 * rcRe / beta - 2 * cRe * rBeta / beta2;
            rtIm = 2 * rcIm / beta - 2 * cIm * rBeta / beta2;
            rKappa = 2 * rBeta / beta2;
            double rp = rcRe * aRe + rcIm * aIm + cRe * raRe + cIm * raIm;
            rAlong = -2 * rp / beta + 2 * p * rBeta / beta2;
        }
        for (int i = 0; i < 2 * n; i += 2) {
            double gRe = g[i];
            double gIm = g[i + 1];
            double xRe = x[i];
            double xIm = x[i + 1];
            // E = conj(a) g + conj(c) x + along v, along = -2 p / beta
            double eRe = (aRe * gRe + aIm * gIm) + (cRe * xRe + cIm * xIm) + along * v[i];
            double eIm = (aRe * gIm - aIm * gRe) + (cRe * xIm - cIm * xRe) + along * v[i + 1];
            gradient[real + i / 2] += kappa * eRe;
            gradient[imaginary + i / 2] += kappa * eIm;
            g[i] = gRe - (tRe * v[i] - tIm * v[i + 1]);
            g[i + 1] = gIm - (tRe * v[i + 1] + tIm * v[i]);
            if (rg == null) {
                continue;
            }
            double rgRe = rg[i];
            double rgIm = rg[i + 1];
            double rxRe = rx[i];
            double rxIm = rx[i + 1];
            // R E = conj(Ra) g + conj(a) Rg + conj(Rc) x + conj(c) Rx + R along v + along Rv
            double reRe =
                    (raRe * gRe + raIm * gIm)
                            + (aRe * rgRe + aIm * rgIm)
                            + (rcRe * xRe + rcIm * xIm)
                            + (cRe * rxRe + cIm * rxIm)
                            + rAlong * v[i]
                            + along * u[i];
            double reIm =
                    (raRe * gIm - raIm * gRe)
                            + (aRe * rgIm - aIm * rgRe)
                            + (rcRe * xIm - rcIm * xRe)
                            + (cRe * rxIm - cIm * rxRe)
                            + rAlong * v[i + 1]
                            + along * u[i + 1];
            rGradient[real + i / 2] += rKappa * eRe + kappa * reRe;
            rGradient[imaginary + i / 2] += rKappa * eIm + kappa * reIm;
            // R g_x = R g - Rv t - v Rt
            rg[i] = rgRe - (tRe * u[i] - tIm * u[i + 1]) - (rtRe * v[i] - rtIm * v[i + 1]);
            rg[i + 1] = rgIm - (tRe * u[i + 1] + tIm * u[i]) - (rtRe * v[i + 1] + rtIm * v[i]);
        }
    }

    /** Re(v^H x) for interleaved vectors. */
    private static double dotReal(double[] v, double[] x) {
        double sum = 0;
        for (int i = 0; i < v.length; i += 2) {
            sum += v[i] * x[i] + v[i + 1] * x[i + 1];
        }
        return sum;
    }

    /** Im(v^H x) for interleaved vectors. */
    private static double dotImaginary(double[] v, double[] x) {
        double sum = 0;
        for (int i = 0; i < v.length; i += 2) {
            sum += v[i] * x[i + 1] - v[i + 1] * x[i];
        }
        return sum;
    }

    private void permute(double[] row) {
        for (int j = 0; j < n; j++) {
            scratch[2 * j] = row[2 * permutation[j]];
            scratch[2 * j + 1] = row[2 * permutation[j] + 1];
        }
        System.arraycopy(scratch, 0, row, 0, row.length);
    }

    private void permuteBack(double[] row) {
        for (int j = 0; j < n; j++) {
            scratch[2 * permutation[j]] = row[2 * j];
            scratch[2 * permutation[j] + 1] = row[2 * j + 1];
        }
        System.arraycopy(scratch, 0, row, 0, row.length);
    }
}
