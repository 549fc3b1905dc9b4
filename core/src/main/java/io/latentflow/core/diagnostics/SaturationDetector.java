package io.latentflow.core.diagnostics;

import java.io.Serializable;
import java.util.Optional;

/**
 * Watches for the failure Arjovsky and Bottou (<a
 * href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>, theorem 2.4) predict: a
 * discriminator that has become nearly perfect, under which the generator's gradient vanishes.
 *
 * <p>Per step it takes the discriminator's accuracy and the norm of the generator's gradient, and
 * keeps both over a sliding window. It reports saturation when the window's mean accuracy reaches a
 * threshold while the window's mean gradient norm has fallen below the largest window mean seen so
 * far by a given factor. It reports once when saturation begins and again only after it has ended.
 */
public final class SaturationDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The defaults: a window of 50 steps, accuracy 0.99, a fall of two orders of magnitude. */
    public static final int DEFAULT_WINDOW = 50;

    public static final double DEFAULT_ACCURACY = 0.99;
    public static final double DEFAULT_COLLAPSE_FACTOR = 100;

    private final double accuracyThreshold;
    private final double collapseFactor;
    private final SlidingWindow accuracy;
    private final SlidingWindow gradientNorm;
    private double peakMeanNorm;
    private boolean saturated;

    /**
     * @param window steps in the sliding windows
     * @param accuracyThreshold mean accuracy at or above which the discriminator counts as nearly
     *     perfect
     * @param collapseFactor how many times below its peak the mean gradient norm must fall
     */
    public SaturationDetector(int window, double accuracyThreshold, double collapseFactor) {
        if (!(accuracyThreshold > 0.5 && accuracyThreshold <= 1)) {
            throw new IllegalArgumentException(
                    "accuracy threshold must be in (0.5, 1]: " + accuracyThreshold);
        }
        if (!(collapseFactor > 1)) {
            throw new IllegalArgumentException(
                    "collapse factor must be above 1: " + collapseFactor);
        }
        this.accuracyThreshold = accuracyThreshold;
        this.collapseFactor = collapseFactor;
        this.accuracy = new SlidingWindow(window);
        this.gradientNorm = new SlidingWindow(window);
    }

    /** A detector with the default window, threshold and factor. */
    public static SaturationDetector withDefaults() {
        return new SaturationDetector(DEFAULT_WINDOW, DEFAULT_ACCURACY, DEFAULT_COLLAPSE_FACTOR);
    }

    /**
     * Records one step and returns a warning if saturation begins with it.
     *
     * @param discriminatorAccuracy the step's accuracy on real and generated pairs together
     * @param generatorGradNorm the norm of the generator cost's gradient at the step
     */
    public Optional<String> observe(double discriminatorAccuracy, double generatorGradNorm) {
        accuracy.add(discriminatorAccuracy);
        gradientNorm.add(generatorGradNorm);
        if (!gradientNorm.full()) {
            return Optional.empty();
        }
        double meanNorm = gradientNorm.mean();
        peakMeanNorm = Math.max(peakMeanNorm, meanNorm);
        double meanAccuracy = accuracy.mean();
        boolean nowSaturated =
                meanAccuracy >= accuracyThreshold && meanNorm * collapseFactor <= peakMeanNorm;
        boolean begins = nowSaturated && !saturated;
        saturated = nowSaturated;
        if (!begins) {
            return Optional.empty();
        }
        return Optional.of(
                String.format(
                        "discriminator saturated: mean accuracy %.4f over the last %d steps, mean"
                                + " generator gradient norm %.3g, %.0f times below its peak %.3g",
                        meanAccuracy,
                        gradientNorm.count(),
                        meanNorm,
                        peakMeanNorm / meanNorm,
                        peakMeanNorm));
    }

    /** Returns the mean generator gradient norm over the window. */
    public double meanGradNorm() {
        return gradientNorm.mean();
    }

    /** Returns the variance of the generator gradient norm over the window. */
    public double gradNormVariance() {
        return gradientNorm.variance();
    }

    /** Returns the number of steps the window holds now. */
    public int windowCount() {
        return gradientNorm.count();
    }

    /** Returns whether the last step left the detector in the saturated state. */
    public boolean saturated() {
        return saturated;
    }
}
