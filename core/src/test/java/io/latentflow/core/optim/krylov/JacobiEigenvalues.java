package io.latentflow.core.optim.krylov;

/**
 * The cyclic Jacobi method for the full eigendecomposition of a small dense symmetric matrix, as an
 * independent reference: plane rotations zero one off-diagonal entry at a time until the
 * off-diagonal mass is at rounding level.
 */
public final class JacobiEigenvalues {
    /** Eigenvalues, and eigenvectors as the columns of vectors. */
    public final double[] values;

    public final double[][] vectors;

    /** Decomposes a symmetric matrix, which is not modified. */
    public JacobiEigenvalues(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = matrix[i].clone();
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double total = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    total += a[i][j] * a[i][j];
                    if (i != j) {
                        off += a[i][j] * a[i][j];
                    }
                }
            }
            if (off <= 1e-30 * total) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    rotate(a, v, p, q);
                }
            }
        }
        values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        vectors = v;
    }

    /** Zeroes a[p][q] by a rotation in the (p, q) plane applied on both sides, and to v. */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        if (a[p][q] == 0) {
            return;
        }
        double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int n = a.length;
        for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }

    /** Returns sum_i f(lambda_i) (q_i . b) q_i, the matrix function f applied to b. */
    public double[] apply(java.util.function.DoubleUnaryOperator function, double[] b) {
        int n = values.length;
        double[] result = new double[n];
        for (int i = 0; i < n; i++) {
            double projection = 0;
            for (int k = 0; k < n; k++) {
                projection += vectors[k][i] * b[k];
            }
            double scale = function.applyAsDouble(values[i]) * projection;
            for (int k = 0; k < n; k++) {
                result[k] += scale * vectors[k][i];
            }
        }
        return result;
    }

    /** Returns the smallest eigenvalue. */
    public double smallest() {
        return java.util.Arrays.stream(values).min().orElseThrow();
    }

    /** Returns the largest eigenvalue. */
    public double largest() {
        return java.util.Arrays.stream(values).max().orElseThrow();
    }
}
