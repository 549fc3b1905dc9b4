package io.latentflow.core.optim.krylov;

import java.util.ArrayList;
import java.util.List;

/**
 * Solves the family of shifted systems (A + (mu + s_j) I) x_j = b for a symmetric positive
 * semi-definite A, a base shift mu and shifts s_j >= 0 together, from one sequence of products with
 * A, and returns the weighted sum sum_j w_j x_j (B. Jegerlehner, Krylov space solvers for shifted
 * linear systems, 1996).
 *
 * <p>Conjugate gradients on the seed system, the one with the smallest shift, builds residuals r_k
 * = R_k(A) b. Because Krylov spaces do not change under shifts, the residual of conjugate gradients
 * on a shifted system at step k is the same vector scaled: zeta_k r_k, with 1 / zeta_k = R_k(-d)
 * for the shift difference d, which the three-term recurrence of the residual polynomials gives
 * from the seed's alpha and beta:
 *
 * <p>zeta_(k+1) = zeta_k zeta_(k-1) alpha_(k-1) / (alpha_(k-1) zeta_(k-1) (1 + d alpha_k) + alpha_k
 * beta_(k-1) (zeta_(k-1) - zeta_k)),
 *
 * <p>and each shifted system then takes the step alpha_k zeta_(k+1) / zeta_k and the conjugation
 * coefficient beta_k (zeta_(k+1) / zeta_k)^2. Each system keeps its own iterate and search
 * direction, two vectors; a system whose residual has fallen below the tolerance is added into the
 * sum and its vectors released, so systems with large shifts, which converge first, stop costing
 * memory early.
 *
 * <p>Instances hold only the settings and can be shared.
 */
public final class MultiShiftConjugateGradient {
    private final double tolerance;
    private final int maxIterations;

    /**
     * Creates a solver.
     *
     * @param tolerance the residual norm, relative to |b|, below which a shifted system counts as
     *     solved; positive
     * @param maxIterations the most products with A, positive
     */
    public MultiShiftConjugateGradient(double tolerance, int maxIterations) {
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be positive: " + tolerance);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be positive: " + maxIterations);
        }
        this.tolerance = tolerance;
        this.maxIterations = maxIterations;
    }

    /** The weighted sum after each requested iteration, and how the solve ended. */
    public record Result(
            double[] solution,
            int iterations,
            boolean converged,
            double seedResidual,
            List<Snapshot> snapshots) {}

    /** The weighted sum of the shifted iterates after a given number of iterations. */
    public record Snapshot(int iteration, double[] solution) {}

    /**
     * Solves the shifted systems and returns sum_j w_j x_j.
     *
     * @param operator A, symmetric positive semi-definite
     * @param b the right-hand side, not modified
     * @param baseShift mu, added to every shift; mu + min s_j must not be negative, and A + (mu +
     *     min s_j) I must be positive definite
     * @param shifts the s_j, non-negative
     * @param weights the w_j, one per shift
     * @param snapshotIterations iteration counts, increasing, after which the current sum is kept
     */
    public Result solve(
            SymmetricOperator operator,
            double[] b,
            double baseShift,
            double[] shifts,
            double[] weights,
            int[] snapshotIterations) {
        if (shifts.length == 0 || shifts.length != weights.length) {
            throw new IllegalArgumentException(
                    shifts.length + " shifts but " + weights.length + " weights");
        }
        double smallest = Double.POSITIVE_INFINITY;
        for (double shift : shifts) {
            if (!(shift >= 0)) {
                throw new IllegalArgumentException("shifts must not be negative: " + shift);
            }
            smallest = Math.min(smallest, shift);
        }
        double seedShift = baseShift + smallest;
        if (!(seedShift >= 0)) {
            throw new IllegalArgumentException(
                    "the smallest total shift must not be negative: " + seedShift);
        }

        int n = b.length;
        double[] sum = new double[n];
        double bNorm = Vectors.norm(b);
        List<Snapshot> snapshots = new ArrayList<>();
        if (bNorm == 0) {
            return new Result(sum, 0, true, 0, snapshots);
        }

        ShiftedSystem[] systems = new ShiftedSystem[shifts.length];
        for (int j = 0; j < shifts.length; j++) {
            systems[j] = new ShiftedSystem(shifts[j] - smallest, weights[j], b);
        }
        double[] residual = b.clone();
        double[] direction = b.clone();
        double residualSquared = bNorm * bNorm;
        double previousAlpha = 1;
        double previousBeta = 0;
        int active = systems.length;
        int nextSnapshot = 0;
        int iteration = 0;

        while (active > 0 && iteration < maxIterations) {
            double[] product = operator.times(direction);
            Vectors.addScaled(product, seedShift, direction);
            double curvature = Vectors.dot(direction, product);
            if (!(curvature > 0)) {
                throw new IllegalStateException(
                        "the shifted operator is not positive definite: p^T (A + s) p = "
                                + curvature
                                + " at iteration "
                                + iteration);
            }
            double alpha = residualSquared / curvature;
            for (ShiftedSystem system : systems) {
                if (system.active()) {
                    system.advanceIterate(alpha, previousAlpha, previousBeta);
                }
            }
            Vectors.addScaled(residual, -alpha, product);
            double nextResidualSquared = Vectors.dot(residual, residual);
            double beta = nextResidualSquared / residualSquared;
            double residualNorm = Math.sqrt(nextResidualSquared);
            for (ShiftedSystem system : systems) {
                if (!system.active()) {
                    continue;
                }
                system.advanceDirection(beta, residual);
                if (Math.abs(system.zeta) * residualNorm <= tolerance * bNorm) {
                    system.retireInto(sum);
                    active--;
                }
            }
            Vectors.scaleAndAdd(direction, beta, residual);
            previousAlpha = alpha;
            previousBeta = beta;
            residualSquared = nextResidualSquared;
            iteration++;

            while (nextSnapshot < snapshotIterations.length
                    && snapshotIterations[nextSnapshot] <= iteration) {
                if (snapshotIterations[nextSnapshot] == iteration) {
                    snapshots.add(new Snapshot(iteration, currentSum(sum, systems)));
                }
                nextSnapshot++;
            }
        }
        double[] solution = currentSum(sum, systems);
        double seedResidual = Math.sqrt(residualSquared) / bNorm;
        return new Result(solution, iteration, active == 0, seedResidual, snapshots);
    }

    private static double[] currentSum(double[] retired, ShiftedSystem[] systems) {
        double[] total = retired.clone();
        for (ShiftedSystem system : systems) {
            if (system.active()) {
                Vectors.addScaled(total, system.weight, system.iterate);
            }
        }
        return total;
    }

    /** One shifted system: its shift relative to the seed, weight, iterate and direction. */
    private static final class ShiftedSystem {
        private final double difference;
        private final double weight;
        private double[] iterate;
        private double[] direction;
        private double zeta = 1;
        private double previousZeta = 1;
        private double nextZeta;

        private ShiftedSystem(double difference, double weight, double[] b) {
            this.difference = difference;
            this.weight = weight;
            this.iterate = new double[b.length];
            this.direction = b.clone();
        }

        private boolean active() {
            return iterate != null;
        }

        private void advanceIterate(double alpha, double previousAlpha, double previousBeta) {
            nextZeta =
                    zeta
                            * previousZeta
                            * previousAlpha
                            / (previousAlpha * previousZeta * (1 + difference * alpha)
                                    + alpha * previousBeta * (previousZeta - zeta));
            Vectors.addScaled(iterate, alpha * nextZeta / zeta, direction);
        }

        private void advanceDirection(double beta, double[] residual) {
            double ratio = nextZeta / zeta;
            Vectors.combine(direction, nextZeta, residual, beta * ratio * ratio);
            previousZeta = zeta;
            zeta = nextZeta;
        }

        private void retireInto(double[] sum) {
            Vectors.addScaled(sum, weight, iterate);
            iterate = null;
            direction = null;
        }
    }
}
