package io.latentflow.core.recurrent;

/**
 * Builds W = D3 R2 F^-1 D2 P R1 F D1 of a {@link UnitaryEvolutionRnn} from its parameters as dense
 * complex n x n matrices multiplied out, with the DFT as the matrix F_jk = e^{-2 pi i jk / n} /
 * sqrt(n): an independent reference for the FFT-based factor chain. Matrices are {real, imaginary}
 * pairs, row-major.
 */
final class ExplicitRecurrentMatrix {
    private ExplicitRecurrentMatrix() {}

    static double[][] of(UnitaryEvolutionRnn network) {
        UnitaryEvolutionRnnLayout layout = network.layout();
        double[] p = network.parameters();
        int n = layout.hiddenSize();
        double[][] w = diagonal(p, layout.phase(1), n);
        w = multiply(dft(n, -1), w, n);
        w =
                multiply(
                        reflection(p, layout.reflectionReal(1), layout.reflectionImaginary(1), n),
                        w,
                        n);
        w = multiply(permutation(network.permutation()), w, n);
        w = multiply(diagonal(p, layout.phase(2), n), w, n);
        w = multiply(dft(n, +1), w, n);
        w =
                multiply(
                        reflection(p, layout.reflectionReal(2), layout.reflectionImaginary(2), n),
                        w,
                        n);
        return multiply(diagonal(p, layout.phase(3), n), w, n);
    }

    /** Returns the largest entry modulus of W^H W - I. */
    static double unitarityDeviation(double[][] w, int n) {
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                // (W^H W)_ij = sum_k conj(W_ki) W_kj
                double re = i == j ? -1 : 0;
                double im = 0;
                for (int k = 0; k < n; k++) {
                    double aRe = w[0][k * n + i];
                    double aIm = -w[1][k * n + i];
                    double bRe = w[0][k * n + j];
                    double bIm = w[1][k * n + j];
                    re += aRe * bRe - aIm * bIm;
                    im += aRe * bIm + aIm * bRe;
                }
                worst = Math.max(worst, Math.hypot(re, im));
            }
        }
        return worst;
    }

    private static double[][] diagonal(double[] p, int offset, int n) {
        double[][] d = new double[2][n * n];
        for (int j = 0; j < n; j++) {
            d[0][j * n + j] = Math.cos(p[offset + j]);
            d[1][j * n + j] = Math.sin(p[offset + j]);
        }
        return d;
    }

    private static double[][] dft(int n, int sign) {
        double[][] f = new double[2][n * n];
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < n; k++) {
                double angle = sign * 2 * Math.PI * ((long) j * k % n) / n;
                f[0][j * n + k] = Math.cos(angle) / Math.sqrt(n);
                f[1][j * n + k] = Math.sin(angle) / Math.sqrt(n);
            }
        }
        return f;
    }

    private static double[][] reflection(double[] p, int realOffset, int imaginaryOffset, int n) {
        // R = I - 2 v v^H / |v|^2, (v v^H)_jk = v_j conj(v_k)
        double norm = 0;
        for (int j = 0; j < n; j++) {
            norm +=
                    p[realOffset + j] * p[realOffset + j]
                            + p[imaginaryOffset + j] * p[imaginaryOffset + j];
        }
        double[][] r = new double[2][n * n];
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < n; k++) {
                double aRe = p[realOffset + j];
                double aIm = p[imaginaryOffset + j];
                double bRe = p[realOffset + k];
                double bIm = -p[imaginaryOffset + k];
                r[0][j * n + k] = (j == k ? 1 : 0) - 2 * (aRe * bRe - aIm * bIm) / norm;
                r[1][j * n + k] = -2 * (aRe * bIm + aIm * bRe) / norm;
            }
        }
        return r;
    }

    private static double[][] permutation(int[] order) {
        int n = order.length;
        double[][] p = new double[2][n * n];
        for (int j = 0; j < n; j++) {
            p[0][j * n + order[j]] = 1;
        }
        return p;
    }

    private static double[][] multiply(double[][] a, double[][] b, int n) {
        double[][] c = new double[2][n * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double aRe = a[0][i * n + k];
                double aIm = a[1][i * n + k];
                if (aRe == 0 && aIm == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    double bRe = b[0][k * n + j];
                    double bIm = b[1][k * n + j];
                    c[0][i * n + j] += aRe * bRe - aIm * bIm;
                    c[1][i * n + j] += aRe * bIm + aIm * bRe;
                }
            }
        }
        return c;
    }
}
