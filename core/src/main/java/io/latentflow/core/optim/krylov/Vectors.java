package io.latentflow.core.optim.krylov;

/** The few level-1 operations the Krylov solvers need, on plain arrays. */
final class Vectors {
    private Vectors() {}

    static double dot(double[] x, double[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * y[i];
        }
        return sum;
    }

    static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    /** y = y + a x */
    static void addScaled(double[] y, double a, double[] x) {
        for (int i = 0; i < y.length; i++) {
            y[i] += a * x[i];
        }
    }

    /** y = x + b y */
    static void scaleAndAdd(double[] y, double b, double[] x) {
        for (int i = 0; i < y.length; i++) {
            y[i] = x[i] + b * y[i];
        }
    }

    /** y = a x + b y */
    static void combine(double[] y, double a, double[] x, double b) {
        for (int i = 0; i < y.length; i++) {
            y[i] = a * x[i] + b * y[i];
        }
    }

    static double[] scaled(double a, double[] x) {
        double[] result = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            result[i] = a * x[i];
        }
        return result;
    }
}
