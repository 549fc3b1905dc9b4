package io.latentflow.core.optim.krylov;

/**
 * Estimates the extreme eigenvalues of a symmetric operator from a few Lanczos steps: the smallest
 * and largest eigenvalues of the tridiagonal matrix the steps build (its Ritz values), which lie
 * inside the operator's spectrum and approach its ends fastest.
 *
 * <p>Only three vectors are kept; the Lanczos vectors are not reorthogonalised, which can repeat
 * converged Ritz values but does not move the extreme ones outside the spectrum.
 */
public final class LanczosSpectrum {
    private LanczosSpectrum() {}

    /** The extreme Ritz values after a number of operator products. */
    public record Estimate(double smallest, double largest, int products) {
        /** Returns the largest magnitude, max(|smallest|, |largest|). */
        public double spectralRadius() {
            return Math.max(Math.abs(smallest), Math.abs(largest));
        }
    }

    /**
     * Runs up to steps Lanczos steps from start.
     *
     * @param operator a symmetric operator
     * @param start a non-zero starting vector, not modified
     * @param steps the most products, positive
     */
    public static Estimate estimate(SymmetricOperator operator, double[] start, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be positive: " + steps);
        }
        double startNorm = Vectors.norm(start);
        if (!(startNorm > 0)) {
            throw new IllegalArgumentException("the starting vector must not be zero");
        }
        double[] diagonal = new double[steps];
        double[] offDiagonal = new double[steps];
        double[] current = Vectors.scaled(1 / startNorm, start);
        double[] previous = new double[start.length];
        double previousBeta = 0;
        int count = 0;
        while (count < steps) {
            double[] next = operator.times(current);
            Vectors.addScaled(next, -previousBeta, previous);
            double alpha = Vectors.dot(current, next);
            Vectors.addScaled(next, -alpha, current);
            double beta = Vectors.norm(next);
            diagonal[count] = alpha;
            offDiagonal[count] = beta;
            count++;
            // A vanishing beta means the Krylov space is invariant: its Ritz values are exact.
            if (!(beta > 1e-14 * Math.abs(alpha)) || beta == 0) {
                break;
            }
            previous = current;
            current = Vectors.scaled(1 / beta, next);
            previousBeta = beta;
        }
        return new Estimate(
                extremeEigenvalue(diagonal, offDiagonal, count, false),
                extremeEigenvalue(diagonal, offDiagonal, count, true),
                count);
    }

    /**
     * Finds the smallest or largest eigenvalue of the leading size x size block of a symmetric
     * tridiagonal matrix by bisection on Sturm counts, starting from Gershgorin's interval.
     */
    static double extremeEigenvalue(
            double[] diagonal, double[] offDiagonal, int size, boolean largest) {
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            double radius =
                    (i > 0 ? Math.abs(offDiagonal[i - 1]) : 0)
                            + (i + 1 < size ? Math.abs(offDiagonal[i]) : 0);
            low = Math.min(low, diagonal[i] - radius);
            high = Math.max(high, diagonal[i] + radius);
        }
        int wanted = largest ? size : 1;
        for (int iteration = 0;
                iteration < 200 && high - low > 1e-15 * Math.abs(high);
                iteration++) {
            double middle = 0.5 * (low + high);
            if (countBelow(diagonal, offDiagonal, size, middle) >= wanted) {
                high = middle;
            } else {
                low = middle;
            }
        }
        return 0.5 * (low + high);
    }

    /** Returns how many eigenvalues are below x, by the signs of the LDL^T pivots of T - x I. */
    private static int countBelow(double[] diagonal, double[] offDiagonal, int size, double x) {
        int count = 0;
        double pivot = 1;
        for (int i = 0; i < size; i++) {
            double coupling = i > 0 ? offDiagonal[i - 1] * offDiagonal[i - 1] : 0;
            pivot = diagonal[i] - x - (i > 0 ? coupling / pivot : 0);
            if (pivot == 0) {
                pivot = -1e-300;
            }
            if (pivot < 0) {
                count++;
            }
        }
        return count;
    }
}
