package io.latentflow.core.optim.krylov;

import java.util.List;

/**
 * Computes (H^2 + lambda^2 I)^(-1/2) b for a symmetric, possibly indefinite H known only through
 * products H v: with lambda = 0 this is |H|^(-1) b, where |H| has the eigenvectors of H and the
 * absolute values of its eigenvalues, the saddle-free Newton matrix of Dauphin et al. (<a
 * href="https://arxiv.org/abs/1406.2572">arXiv:1406.2572</a>) as computed without a matrix by
 * Arjovsky (<a href="https://arxiv.org/abs/1506.00059">arXiv:1506.00059</a>).
 *
 * <p>Method: H^2 is positive semi-definite and its square root is |H|, so |H|^(-1) = (H^2)^(-1/2).
 * The {@link InverseSquareRootQuadrature} writes a^(-1/2) as a sum of w_j / (a + s_j) on the
 * interval that holds the spectrum of H^2 + lambda^2 I, and {@link MultiShiftConjugateGradient}
 * solves all systems (H^2 + (lambda^2 + s_j) I) x_j = b from one Krylov space of H^2, at two
 * products with H per iteration. Damping by lambda^2 rather than adding lambda to |H| keeps the
 * whole computation a function of H^2, bounds the spectrum below by lambda^2 (which the quadrature
 * needs) and replaces each |h| by sqrt(h^2 + lambda^2), between max(|h|, lambda) and |h| + lambda.
 *
 * <p>Why this and not a Lanczos approximation of f(H^2) b: a one-pass Lanczos method must either
 * keep its whole basis or run twice; multi-shift conjugate gradients reaches the same Krylov
 * approximation, up to the quadrature error, in one pass with two vectors per shift, releasing
 * shifts as they converge. No low-rank approximation of H is made: the error falls with the
 * iterations like that of conjugate gradients on the seed system, at a rate set by the condition
 * number (rho^2 + lambda^2) / lambda^2 for spectral radius rho, and reaches the solver tolerance or
 * the quadrature tolerance, whichever is larger.
 */
public final class SaddleFreeDirection {
    private final double quadratureTolerance;
    private final MultiShiftConjugateGradient solver;

    /** The direction and what it cost. */
    public record Result(
            double[] direction,
            int hessianProducts,
            int iterations,
            boolean converged,
            int shifts,
            List<MultiShiftConjugateGradient.Snapshot> snapshots) {}

    /**
     * Creates a solver.
     *
     * @param quadratureTolerance relative error of the rational approximation, in (0, 0.1]
     * @param solverTolerance residual norm of each shifted system relative to |b|, positive
     * @param maxIterations the most iterations, each costing two products with H
     */
    public SaddleFreeDirection(
            double quadratureTolerance, double solverTolerance, int maxIterations) {
        if (!(quadratureTolerance > 0 && quadratureTolerance <= 0.1)) {
            throw new IllegalArgumentException(
                    "quadratureTolerance must be in (0, 0.1]: " + quadratureTolerance);
        }
        this.quadratureTolerance = quadratureTolerance;
        this.solver = new MultiShiftConjugateGradient(solverTolerance, maxIterations);
    }

    /**
     * Returns (H^2 + lambda^2 I)^(-1/2) b.
     *
     * @param hessian H, symmetric
     * @param b the vector, not modified
     * @param damping lambda, non-negative
     * @param spectralFloor a lower bound on the smallest |eigenvalue| of H; may be zero when
     *     damping is positive
     * @param spectralCeiling an upper bound on the largest |eigenvalue| of H; the quadrature stays
     *     accurate to about its tolerance for eigenvalues up to several times beyond it
     * @param snapshotIterations iterations after which the current direction is kept, increasing
     */
    public Result solve(
            SymmetricOperator hessian,
            double[] b,
            double damping,
            double spectralFloor,
            double spectralCeiling,
            int[] snapshotIterations) {
        if (!(damping >= 0) || !(spectralFloor >= 0) || !(spectralCeiling >= spectralFloor)) {
            throw new IllegalArgumentException(
                    String.format(
                            "need damping >= 0 and 0 <= floor <= ceiling: %g, %g, %g",
                            damping, spectralFloor, spectralCeiling));
        }
        double squaredDamping = damping * damping;
        double lower = squaredDamping + spectralFloor * spectralFloor;
        double upper = squaredDamping + spectralCeiling * spectralCeiling;
        if (!(lower > 0)) {
            throw new IllegalArgumentException(
                    "damping or spectralFloor must be positive to bound H^2 + lambda^2 I below");
        }
        // The shifts are s_j + lambda^2 on H^2, and the quadrature's interval is that of
        // H^2 + lambda^2 I, so the quadrature is built on [lower, upper] and applied with the
        // damping as the base shift.
        InverseSquareRootQuadrature quadrature =
                InverseSquareRootQuadrature.forInterval(lower, upper, quadratureTolerance);
        SymmetricOperator squared = x -> hessian.times(hessian.times(x));
        MultiShiftConjugateGradient.Result result =
                solver.solve(
                        squared,
                        b,
                        squaredDamping,
                        quadrature.shifts(),
                        quadrature.weights(),
                        snapshotIterations);
        return new Result(
                result.solution(),
                2 * result.iterations(),
                result.iterations(),
                result.converged(),
                quadrature.size(),
                result.snapshots());
    }
}
