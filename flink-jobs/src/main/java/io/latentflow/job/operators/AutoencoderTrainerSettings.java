package io.latentflow.job.operators;

import io.latentflow.core.optim.CurvatureMethod;
import io.latentflow.core.optim.HessianFreeConfig;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How the autoencoder trainer operator trains every run it sees: a deep autoencoder of the given
 * widths (LeakyReLU 0.2 hidden units, sigmoid output, squared error, float32) with one optimizer.
 *
 * <p>First-order optimizers take a step per mini-batch of {@code batchSize} examples. The
 * Hessian-free ones take a step per gradient batch of {@code gradientBatch} examples, with
 * curvature products on its first {@code curvatureBatch} examples.
 *
 * @param widths feature counts at every layer boundary, input first and output last
 * @param optimizer the optimizer
 * @param seed seeds the initial weights
 * @param batchSize examples per step of a first-order optimizer
 * @param gradientBatch examples per step of a Hessian-free optimizer: the loss and the gradient
 * @param curvatureBatch the first this many of the gradient batch give the curvature products
 * @param steps steps to train per run; 0 trains for as long as examples arrive
 * @param metricsInterval a metrics record every this many steps (and at step 0, 1 and the last)
 * @param learningRate the first-order optimizers' step size; ignored by Hessian-free
 * @param momentum SGD's momentum
 * @param initialDamping Hessian-free's first Tikhonov damping lambda
 * @param maxInnerIterations Hessian-free's inner iteration limit per step
 * @param trainingSetSize examples in the training set, to count passes over it
 * @param evaluationExamples the run's first this many examples by sequence number are the fixed
 *     sample on which every metrics record measures the training error
 */
public record AutoencoderTrainerSettings(
        int[] widths,
        OptimizerKind optimizer,
        long seed,
        int batchSize,
        int gradientBatch,
        int curvatureBatch,
        long steps,
        int metricsInterval,
        double learningRate,
        double momentum,
        double initialDamping,
        int maxInnerIterations,
        int trainingSetSize,
        int evaluationExamples)
        implements Serializable {

    /** The slope of LeakyReLU between the layers, as in core's autoencoder comparison. */
    public static final double LEAKY_SLOPE = 0.2;

    public AutoencoderTrainerSettings {
        if (widths == null || widths.length < 3 || Arrays.stream(widths).anyMatch(w -> w < 1)) {
            throw new IllegalArgumentException(
                    "an autoencoder needs at least one hidden layer and positive widths, had "
                            + Arrays.toString(widths));
        }
        if (widths[0] != widths[widths.length - 1]) {
            throw new IllegalArgumentException(
                    "an autoencoder's output must be as wide as its input: "
                            + Arrays.toString(widths));
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("an optimizer is required");
        }
        if (batchSize < 1 || gradientBatch < 1) {
            throw new IllegalArgumentException(
                    "batch sizes must be at least 1, were " + batchSize + " and " + gradientBatch);
        }
        if (curvatureBatch < 1 || curvatureBatch > gradientBatch) {
            throw new IllegalArgumentException(
                    "the curvature batch must be 1 to the gradient batch ("
                            + gradientBatch
                            + "), was "
                            + curvatureBatch);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, was " + steps);
        }
        if (metricsInterval < 1) {
            throw new IllegalArgumentException(
                    "metrics interval must be at least 1, was " + metricsInterval);
        }
        if (!optimizer.isSecondOrder() && !(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException(
                    "the learning rate must be positive, was " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
        }
        if (!(initialDamping > 0) || maxInnerIterations < 1) {
            throw new IllegalArgumentException(
                    "need a positive damping and at least 1 inner iteration, had "
                            + initialDamping
                            + " and "
                            + maxInnerIterations);
        }
        if (trainingSetSize < 1 || evaluationExamples < 1) {
            throw new IllegalArgumentException(
                    "need a training set and evaluation examples, had "
                            + trainingSetSize
                            + " and "
                            + evaluationExamples);
        }
        widths = widths.clone();
    }

    /** Returns the widths, input first; a copy. */
    @Override
    public int[] widths() {
        return widths.clone();
    }

    /** Returns the examples one step consumes. */
    public int examplesPerStep() {
        return optimizer.isSecondOrder() ? gradientBatch : batchSize;
    }

    /**
     * Returns the Hessian-free configuration, with the settings of core's autoencoder comparison:
     * for conjugate gradients Martens' relative-progress tolerance 5e-4 and a warm start from 0.95
     * times the last step; for saddle-free a residual tolerance of 1e-4 and 10 Lanczos steps; a
     * quadrature tolerance of 1e-4 and an Armijo line search with c = 0.01, shrink 0.8, 20 trials.
     */
    public HessianFreeConfig hessianFreeConfig() {
        CurvatureMethod method = optimizer.curvatureMethod();
        if (method == null) {
            throw new IllegalStateException(optimizer + " is not a Hessian-free optimizer");
        }
        boolean saddleFree = method == CurvatureMethod.SADDLE_FREE;
        return new HessianFreeConfig(
                method,
                initialDamping,
                maxInnerIterations,
                saddleFree ? 1e-4 : 5e-4,
                1e-4,
                saddleFree ? 10 : 0,
                saddleFree ? 0 : 0.95,
                1e-2,
                0.8,
                20);
    }

    /** The widths as written on the command line and in records: 784-1000-500-...-784. */
    public String describeWidths() {
        return Arrays.stream(widths).mapToObj(Integer::toString).collect(Collectors.joining("-"));
    }

    /** The hyperparameters and batch sizes, for metrics records. */
    public Map<String, String> describe() {
        Map<String, String> description = new HashMap<>();
        description.put("model", "autoencoder");
        description.put("widths", describeWidths());
        description.put("optimizer", optimizer.optionName());
        description.put("seed", Long.toString(seed));
        description.put("trainingSetSize", Integer.toString(trainingSetSize));
        description.put("evaluationExamples", Integer.toString(evaluationExamples));
        if (optimizer.isSecondOrder()) {
            description.put("gradientBatch", Integer.toString(gradientBatch));
            description.put("curvatureBatch", Integer.toString(curvatureBatch));
            description.put("initialDamping", format(initialDamping));
            description.put("maxInnerIterations", Integer.toString(maxInnerIterations));
        } else {
            description.put("batchSize", Integer.toString(batchSize));
            description.put("learningRate", format(learningRate));
            if (optimizer == OptimizerKind.SGD) {
                description.put("momentum", format(momentum));
            }
        }
        return description;
    }

    /** One line for the command line: widths, optimizer and its settings. */
    public String describeBriefly() {
        String settings =
                optimizer.isSecondOrder()
                        ? String.format(
                                Locale.ROOT,
                                "gradient batch %d, curvature batch %d, lambda0 %s, at most %d"
                                        + " inner iterations",
                                gradientBatch,
                                curvatureBatch,
                                format(initialDamping),
                                maxInnerIterations)
                        : String.format(
                                Locale.ROOT,
                                "batch %d, learning rate %s%s",
                                batchSize,
                                format(learningRate),
                                optimizer == OptimizerKind.SGD
                                        ? ", momentum " + format(momentum)
                                        : "");
        return "autoencoder " + describeWidths() + " with " + optimizer + " (" + settings + ")";
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%s", value);
    }
}
