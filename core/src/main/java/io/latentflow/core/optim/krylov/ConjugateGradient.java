package io.latentflow.core.optim.krylov;

import java.util.ArrayList;
import java.util.List;

/**
 * Conjugate gradients on the damped quadratic phi(x) = 1/2 x^T (B + lambda I) x + g^T x, as the
 * inner solver of Martens' Hessian-free method (<a
 * href="https://www.cs.toronto.edu/~jmartens/docs/Deep_HessianFree.pdf">Deep learning via
 * Hessian-free optimization</a>, section 4): started from a given point so that one outer step can
 * continue the previous one (unless phi is positive there, when zero is better), stopped when phi's
 * relative progress over the last k = max(10, i / 10) iterations falls below k epsilon, and keeping
 * its iterates at chosen iterations for backtracking.
 *
 * <p>B may be indefinite, as the Hessian is near a saddle, and then a search direction of
 * non-positive curvature p^T (B + lambda I) p &lt;= 0 can appear. A truncating solver stops there,
 * returning the iterate reached so far, or the first search direction if there is none yet, as
 * truncated Newton methods do. A non-truncating solver goes on through it towards the stationary
 * point of phi, the classical Newton step, and stops only where the curvature is too close to zero
 * to divide by. The smallest curvature p^T B p / p^T p met on the way is reported either way.
 */
public final class ConjugateGradient {
    private final int maxIterations;
    private final double progressTolerance;
    private final boolean truncateAtNegativeCurvature;

    /** How a solve ended and what it returned. */
    public record Result(
            double[] solution,
            int iterations,
            int products,
            boolean negativeCurvature,
            double smallestCurvature,
            double quadraticValue,
            List<Snapshot> snapshots) {}

    /** An iterate kept for backtracking. */
    public record Snapshot(int iteration, double[] solution) {}

    /**
     * Creates a solver.
     *
     * @param maxIterations the most iterations, positive
     * @param progressTolerance Martens' epsilon, 5e-4 in his paper; positive
     * @param truncateAtNegativeCurvature whether to stop at the first direction of non-positive
     *     damped curvature
     */
    public ConjugateGradient(
            int maxIterations, double progressTolerance, boolean truncateAtNegativeCurvature) {
        if (maxIterations < 1 || !(progressTolerance > 0)) {
            throw new IllegalArgumentException(
                    "need maxIterations >= 1 and progressTolerance > 0: "
                            + maxIterations
                            + ", "
                            + progressTolerance);
        }
        this.maxIterations = maxIterations;
        this.progressTolerance = progressTolerance;
        this.truncateAtNegativeCurvature = truncateAtNegativeCurvature;
    }

    /**
     * Minimises phi from a starting point.
     *
     * @param curvature B, symmetric
     * @param damping lambda, non-negative
     * @param gradient g, not modified
     * @param start the first iterate, not modified, or null for zero
     * @param snapshotIterations increasing iteration counts after which the iterate is kept
     */
    public Result solve(
            SymmetricOperator curvature,
            double damping,
            double[] gradient,
            double[] start,
            int[] snapshotIterations) {
        int n = gradient.length;
        SymmetricOperator damped =
                x -> {
                    double[] y = curvature.times(x);
                    Vectors.addScaled(y, damping, x);
                    return y;
                };
        double[] x = start == null ? new double[n] : start.clone();
        int products = 0;
        // r = -g - (B + lambda) x, the negative gradient of phi.
        double[] residual = Vectors.scaled(-1, gradient);
        if (start != null) {
            Vectors.addScaled(residual, -1, damped.times(x));
            products++;
            // A warm start that the quadratic rates above phi(0) = 0 is worse than none.
            if (quadraticValue(x, gradient, residual) > 0) {
                x = new double[n];
                residual = Vectors.scaled(-1, gradient);
                start = null;
            }
        }
        double[] direction = residual.clone();
        double residualSquared = Vectors.dot(residual, residual);
        List<Double> values = new ArrayList<>();
        values.add(quadraticValue(x, gradient, residual));
        List<Snapshot> snapshots = new ArrayList<>();
        double smallestCurvature = Double.POSITIVE_INFINITY;
        boolean negative = false;
        // The largest |p^T (B + lambda) p| / p^T p so far, the scale against which a curvature
        // counts as too close to zero.
        double maxAbsCurvature = Double.MIN_NORMAL;
        int nextSnapshot = 0;
        int iteration = 0;

        // Below this residual the iterate is the solution to rounding, whatever phi does.
        double residualFloor = 1e-20 * Vectors.dot(gradient, gradient);
        while (iteration < maxIterations && residualSquared > residualFloor) {
            double[] product = damped.times(direction);
            products++;
            double directionSquared = Vectors.dot(direction, direction);
            double dampedCurvature = Vectors.dot(direction, product);
            smallestCurvature =
                    Math.min(smallestCurvature, dampedCurvature / directionSquared - damping);
            boolean degenerate =
                    !(Math.abs(dampedCurvature) > 1e-14 * directionSquared * maxAbsCurvature);
            if (!(dampedCurvature > 0)) {
                negative = true;
            }
            if (degenerate || (negative && truncateAtNegativeCurvature)) {
                if (iteration == 0 && start == null) {
                    x = direction.clone();
                }
                break;
            }
            maxAbsCurvature =
                    Math.max(maxAbsCurvature, Math.abs(dampedCurvature) / directionSquared);
            double alpha = residualSquared / dampedCurvature;
            Vectors.addScaled(x, alpha, direction);
            Vectors.addScaled(residual, -alpha, product);
            double nextResidualSquared = Vectors.dot(residual, residual);
            Vectors.scaleAndAdd(direction, nextResidualSquared / residualSquared, residual);
            residualSquared = nextResidualSquared;
            iteration++;
            values.add(quadraticValue(x, gradient, residual));

            while (nextSnapshot < snapshotIterations.length
                    && snapshotIterations[nextSnapshot] <= iteration) {
                if (snapshotIterations[nextSnapshot] == iteration) {
                    snapshots.add(new Snapshot(iteration, x.clone()));
                }
                nextSnapshot++;
            }
            if (progressStalled(values, iteration)) {
                break;
            }
        }
        return new Result(
                x,
                iteration,
                products,
                negative,
                smallestCurvature,
                values.get(values.size() - 1),
                snapshots);
    }

    /** phi(x) = 1/2 x^T (g - r), since (B + lambda) x = -g - r. */
    private static double quadraticValue(double[] x, double[] gradient, double[] residual) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * (gradient[i] - residual[i]);
        }
        return 0.5 * sum;
    }

    private boolean progressStalled(List<Double> values, int iteration) {
        int window = Math.max(10, (int) Math.ceil(0.1 * iteration));
        if (iteration <= window) {
            return false;
        }
        double now = values.get(iteration);
        double before = values.get(iteration - window);
        // With indefinite B, phi can rise on the way to its stationary point; that is not a stall.
        return now < 0 && now <= before && (now - before) / now < window * progressTolerance;
    }
}
