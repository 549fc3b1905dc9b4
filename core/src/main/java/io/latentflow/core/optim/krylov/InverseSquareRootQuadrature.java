package io.latentflow.core.optim.krylov;

/**
 * A rational approximation a^(-1/2) ~ sum_j w_j / (a + s_j) with positive weights and non-negative
 * shifts, accurate to a chosen relative error for every a in an interval [lower, upper] with lower
 * > 0. Applied to a symmetric positive definite matrix A it turns A^(-1/2) b into a weighted sum of
 * solutions of the shifted systems (A + s_j I) x_j = b, which multi-shift conjugate gradients
 * solves together from products with A alone.
 *
 * <p>The approximation is a quadrature of the integral a^(-1/2) = (2 / pi) * integral over t in (0,
 * infinity) of dt / (a + t^2). With t = e^u this becomes (2 / pi) * integral over the real line of
 * e^u du / (a + e^(2u)), whose integrand is sech(u - ln(a) / 2) / (2 sqrt(a)): analytic in a strip
 * of half-width pi / 2 and decaying like e^(-|u|). The trapezoid rule with step h on such an
 * integrand has relative error below 4 exp(-pi^2 / h) on the infinite grid, uniformly in a, so the
 * step follows from the tolerance alone. The grid is kept where the integrand matters for some a in
 * the interval, from ln(lower) / 2 - T to ln(upper) / 2 + T; the nodes left out below are summed in
 * closed form into one term w / a (shift zero), and those above into one term matching the first
 * two orders of their sum in 1 / a. Their errors are of order e^(-3T) and e^(-5T).
 *
 * <p>The number of shifts grows like ln(upper / lower) / 2 + ln(1 / tolerance), about 30 for a
 * tolerance of 1e-6 over six decades. Zolotarev's best rational approximation needs fewer shifts
 * for the same accuracy, but its coefficients need elliptic functions; here the error is a closed
 * form in the step and the interval, and the number of shifts costs memory (two vectors each) but
 * no extra matrix products, since all shifted systems share one Krylov space.
 */
public final class InverseSquareRootQuadrature {
    private final double[] shifts;
    private final double[] weights;
    private final double lower;
    private final double upper;

    private InverseSquareRootQuadrature(
            double[] shifts, double[] weights, double lower, double upper) {
        this.shifts = shifts;
        this.weights = weights;
        this.lower = lower;
        this.upper = upper;
    }

    /**
     * Builds the approximation for an interval and a relative tolerance.
     *
     * @param lower the smallest a to be approximated, positive
     * @param upper the largest a, at least lower
     * @param tolerance the relative error allowed, in (0, 0.1]
     */
    public static InverseSquareRootQuadrature forInterval(
            double lower, double upper, double tolerance) {
        if (!(lower > 0) || !(upper >= lower) || Double.isInfinite(upper)) {
            throw new IllegalArgumentException(
                    "the interval must satisfy 0 < lower <= upper < infinity: ["
                            + lower
                            + ", "
                            + upper
                            + "]");
        }
        if (!(tolerance > 0 && tolerance <= 0.1)) {
            throw new IllegalArgumentException("tolerance must be in (0, 0.1]: " + tolerance);
        }
        // Half the tolerance goes to the discretisation, 4 exp(-pi^2 / h) <= tolerance / 2, and
        // the tails are cut where e^(-3T) is far below the other half.
        double step = Math.PI * Math.PI / Math.log(8 / tolerance);
        double margin = Math.log(2 / tolerance) / 3 + 0.5;
        double start = 0.5 * Math.log(lower) - margin;
        double end = 0.5 * Math.log(upper) + margin;
        int nodes = (int) Math.ceil((end - start) / step);

        double[] shifts = new double[nodes + 2];
        double[] weights = new double[nodes + 2];
        double factor = 2 / Math.PI * step;
        for (int k = 0; k < nodes; k++) {
            double u = start + (k + 0.5) * step;
            shifts[k + 1] = Math.exp(2 * u);
            weights[k + 1] = factor * Math.exp(u);
        }

        // Nodes below the grid, u_k = u_0 - k h for k >= 1: sum of factor e^(u_k) / a.
        double firstNode = start + 0.5 * step;
        shifts[0] = 0;
        weights[0] = factor * Math.exp(firstNode) / Math.expm1(step);

        // Nodes above the grid: factor * sum (e^(-u_k) - a e^(-3 u_k)) matched by w / (a + s).
        double firstAbove = start + (nodes + 0.5) * step;
        double sumFirst = Math.exp(-firstAbove) / -Math.expm1(-step);
        double sumThird = Math.exp(-3 * firstAbove) / -Math.expm1(-3 * step);
        shifts[nodes + 1] = sumFirst / sumThird;
        weights[nodes + 1] = factor * sumFirst * sumFirst / sumThird;
        return new InverseSquareRootQuadrature(shifts, weights, lower, upper);
    }

    /** Returns sum_j w_j / (a + s_j), the approximation of a^(-1/2). */
    public double evaluate(double a) {
        double sum = 0;
        for (int j = 0; j < shifts.length; j++) {
            sum += weights[j] / (a + shifts[j]);
        }
        return sum;
    }

    /** Returns the number of shifted systems. */
    public int size() {
        return shifts.length;
    }

    /** Returns a copy of the shifts s_j, the first of which is zero. */
    public double[] shifts() {
        return shifts.clone();
    }

    /** Returns a copy of the weights w_j. */
    public double[] weights() {
        return weights.clone();
    }

    /** Returns the lower end of the interval the approximation was built for. */
    public double lower() {
        return lower;
    }

    /** Returns the upper end of the interval the approximation was built for. */
    public double upper() {
        return upper;
    }
}
