package io.latentflow.core.diagnostics;

/**
 * How a generator's gradient norm moved while a fresh discriminator trained against the frozen
 * generator, in the experiment of Arjovsky and Bottou (<a
 * href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>, figures 2 and 3).
 *
 * <p>Their analysis predicts two opposite failures as the discriminator nears optimality: under the
 * original cost the norm falls by orders of magnitude, which the ratio of last to first shows;
 * under the -log D cost it stays large but grows erratic, which the variance of the last
 * measurements shows.
 *
 * @param first the norm at the first measurement
 * @param last the norm at the last measurement
 * @param lastOverFirst last divided by first
 * @param tailVariance the population variance of the last fifth of the measurements (at least one)
 */
public record GradientNormTrend(
        double first, double last, double lastOverFirst, double tailVariance) {

    /** The fraction of the measurements, at the end, whose variance the trend reports. */
    public static final double TAIL_FRACTION = 0.2;

    /**
     * Summarizes a series of gradient norms in the order they were measured.
     *
     * @param norms at least one value
     */
    public static GradientNormTrend of(double[] norms) {
        if (norms.length == 0) {
            throw new IllegalArgumentException("a trend needs at least one measurement");
        }
        double first = norms[0];
        double last = norms[norms.length - 1];
        int tailLength = Math.max(1, (int) Math.ceil(norms.length * TAIL_FRACTION));
        SlidingWindow tail = new SlidingWindow(tailLength);
        for (double norm : norms) {
            tail.add(norm);
        }
        return new GradientNormTrend(first, last, last / first, tail.variance());
    }

    /**
     * Returns, for each position of a series, the population standard deviation of the values up to
     * and including it, at most {@code window} of them: the spread that figure 3 of the paper
     * shades around its mean.
     *
     * @param values the series
     * @param window how many of the latest values each standard deviation covers, at least 1
     */
    public static double[] rollingStandardDeviation(double[] values, int window) {
        SlidingWindow latest = new SlidingWindow(window);
        double[] deviations = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            latest.add(values[i]);
            deviations[i] = Math.sqrt(latest.variance());
        }
        return deviations;
    }
}
