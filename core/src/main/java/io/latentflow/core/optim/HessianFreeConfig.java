package io.latentflow.core.optim;

/**
 * Settings of a {@link SaddleFreeHessianFree} optimizer, recorded with every result it produces.
 *
 * @param method the curvature and inner solver
 * @param initialDamping lambda at the first step, positive; for {@link CurvatureMethod#SADDLE_FREE}
 *     it is in units of curvature (eigenvalues of H), as for the others
 * @param maxInnerIterations the most inner iterations per step; a saddle-free iteration costs two
 *     curvature products, a conjugate-gradient iteration one
 * @param innerTolerance for the saddle-free solve, the residual of each shifted system relative to
 *     |g|; for conjugate gradients, Martens' relative-progress epsilon
 * @param quadratureTolerance relative error of the rational approximation of the inverse square
 *     root, in (0, 0.1]
 * @param lanczosSteps Lanczos steps on H per step to estimate its extreme eigenvalues, which bound
 *     the saddle-free quadrature and report the most negative curvature; at least 1 for
 *     saddle-free, may be 0 otherwise
 * @param warmStartDecay the factor applied to the previous step to start conjugate gradients, in
 *     [0, 1]; 0 starts from zero
 * @param sufficientDecrease Armijo's constant c of the line search, in (0, 1)
 * @param lineSearchShrink the factor by which the line search shortens a rejected step, in (0, 1)
 * @param maxLineSearchSteps the most step lengths tried before the step is rejected, positive
 */
public record HessianFreeConfig(
        CurvatureMethod method,
        double initialDamping,
        int maxInnerIterations,
        double innerTolerance,
        double quadratureTolerance,
        int lanczosSteps,
        double warmStartDecay,
        double sufficientDecrease,
        double lineSearchShrink,
        int maxLineSearchSteps) {

    /** Checks every setting. */
    public HessianFreeConfig {
        if (method == null) {
            throw new IllegalArgumentException("method must be given");
        }
        if (!(initialDamping > 0) || maxInnerIterations < 1 || !(innerTolerance > 0)) {
            throw new IllegalArgumentException(
                    String.format(
                            "need initialDamping > 0, maxInnerIterations >= 1, innerTolerance > 0:"
                                    + " %g, %d, %g",
                            initialDamping, maxInnerIterations, innerTolerance));
        }
        if (!(quadratureTolerance > 0 && quadratureTolerance <= 0.1)) {
            throw new IllegalArgumentException(
                    "quadratureTolerance must be in (0, 0.1]: " + quadratureTolerance);
        }
        if (lanczosSteps < (method == CurvatureMethod.SADDLE_FREE ? 1 : 0)) {
            throw new IllegalArgumentException(
                    "lanczosSteps must be at least 1 for saddle-free and 0 otherwise: "
                            + lanczosSteps);
        }
        if (!(warmStartDecay >= 0 && warmStartDecay <= 1)) {
            throw new IllegalArgumentException(
                    "warmStartDecay must be in [0, 1]: " + warmStartDecay);
        }
        if (!(sufficientDecrease > 0 && sufficientDecrease < 1)
                || !(lineSearchShrink > 0 && lineSearchShrink < 1)
                || maxLineSearchSteps < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "need c and shrink in (0, 1) and maxLineSearchSteps >= 1: %g, %g, %d",
                            sufficientDecrease, lineSearchShrink, maxLineSearchSteps));
        }
    }

    /**
     * Martens' settings where they apply (warm start 0.95, epsilon 5e-4, c = 1e-2, shrink 0.8),
     * with the given method, first damping and inner iteration limit.
     */
    public static HessianFreeConfig defaults(
            CurvatureMethod method, double initialDamping, int maxInnerIterations) {
        return new HessianFreeConfig(
                method,
                initialDamping,
                maxInnerIterations,
                method == CurvatureMethod.SADDLE_FREE ? 1e-6 : 5e-4,
                1e-6,
                method == CurvatureMethod.SADDLE_FREE ? 20 : 0,
                method == CurvatureMethod.SADDLE_FREE ? 0 : 0.95,
                1e-2,
                0.8,
                30);
    }
}
