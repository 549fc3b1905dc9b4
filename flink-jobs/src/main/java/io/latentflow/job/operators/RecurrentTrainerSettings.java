package io.latentflow.job.operators;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the recurrent trainer operator trains every run it sees: a uRNN or an LSTM on one sequence
 * task with RMSProp, Adam or a Hessian-free method, and for the pixel tasks how often it measures
 * test accuracy.
 *
 * @param model the network
 * @param task the task the sequences come from
 * @param length the delay T of copying or the length T of adding; 784 for the pixel tasks
 * @param hiddenSize n, complex hidden units of the uRNN or hidden units of the LSTM
 * @param seed seeds the model's initialization (and the uRNN's permutation)
 * @param batchSize sequences per mini-batch; for a Hessian-free optimizer the gradient batch, the
 *     sequences of one step
 * @param steps mini-batches to train per run; 0 trains for as long as sequences arrive
 * @param metricsInterval a metrics record every this many steps (and at the first and last)
 * @param optimizer RMSProp, Adam or a Hessian-free method
 * @param learningRate the first-order optimizer's step size; unused by the Hessian-free ones
 * @param decay RMSProp's decay of the mean square; unused by Adam
 * @param gradientClip rescale the gradient to this Euclidean norm when it is longer, before the
 *     update; 0 never rescales
 * @param permutationSeed seeds the pixel order of permuted-pixel; unused by the other tasks
 * @param datasetPath the Fashion-MNIST folder (or the test images file) whose t10k images and
 *     labels the pixel tasks are evaluated on; null for the other tasks
 * @param testInterval measure test accuracy every this many steps (and always at the last step); 0
 *     only at the last step; pixel tasks only
 * @param testExamples how many of the first test images the periodic measurements use; the last
 *     step uses all of them
 * @param curvatureBatch for a Hessian-free optimizer, the first this many sequences of each
 *     gradient batch give the curvature products, 1 to batchSize; 0 for first-order optimizers
 * @param initialDamping for a Hessian-free optimizer, lambda at the first step; NaN otherwise
 * @param maxInnerIterations for a Hessian-free optimizer, the most inner iterations per step; 0
 *     otherwise
 * @param threads how many threads a uRNN's batch runs on ({@code UnitaryEvolutionRnn.useThreads});
 *     the results do not depend on it, so it is not part of {@link #describe()}; the LSTM runs on
 *     one
 */
public record RecurrentTrainerSettings(
        RecurrentModelKind model,
        SequenceTask task,
        int length,
        int hiddenSize,
        long seed,
        int batchSize,
        long steps,
        int metricsInterval,
        RecurrentOptimizer optimizer,
        double learningRate,
        double decay,
        double gradientClip,
        long permutationSeed,
        String datasetPath,
        int testInterval,
        int testExamples,
        int curvatureBatch,
        double initialDamping,
        int maxInnerIterations,
        int threads)
        implements Serializable {

    /** The optimizers' epsilon, added to the root mean square. */
    public static final double EPSILON = 1e-8;

    public RecurrentTrainerSettings {
        if (model == null || task == null || optimizer == null) {
            throw new IllegalArgumentException("a model, a task and an optimizer are required");
        }
        if (length < 2) {
            throw new IllegalArgumentException("the task length must be at least 2, was " + length);
        }
        if (hiddenSize < 2) {
            throw new IllegalArgumentException(
                    "the hidden size must be at least 2, was " + hiddenSize);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, was " + steps);
        }
        if (metricsInterval < 1) {
            throw new IllegalArgumentException(
                    "metrics interval must be at least 1, was " + metricsInterval);
        }
        if (!(learningRate > 0) || !(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException(
                    "need a positive learning rate and a decay in [0, 1), had "
                            + learningRate
                            + " and "
                            + decay);
        }
        if (!(gradientClip >= 0) || Double.isInfinite(gradientClip)) {
            throw new IllegalArgumentException(
                    "the gradient clip must be 0 (none) or a positive norm, was " + gradientClip);
        }
        if (testInterval < 0 || testExamples < 1) {
            throw new IllegalArgumentException(
                    "need a test interval of at least 0 and at least 1 test example, had "
                            + testInterval
                            + " and "
                            + testExamples);
        }
        if (optimizer.isSecondOrder()) {
            if (curvatureBatch < 1 || curvatureBatch > batchSize) {
                throw new IllegalArgumentException(
                        "the curvature batch must be 1 to the gradient batch ("
                                + batchSize
                                + "), was "
                                + curvatureBatch);
            }
            if (!(initialDamping > 0) || Double.isInfinite(initialDamping)) {
                throw new IllegalArgumentException(
                        "the damping must be positive, was " + initialDamping);
            }
            if (maxInnerIterations < 1) {
                throw new IllegalArgumentException(
                        "need at least 1 inner iteration, had " + maxInnerIterations);
            }
            if (gradientClip > 0) {
                throw new IllegalArgumentException(
                        "a Hessian-free step is not a gradient update and is not clipped");
            }
        }
        if (task.isPixelTask() && datasetPath == null) {
            throw new IllegalArgumentException(
                    task.optionName() + " needs the Fashion-MNIST folder for its test images");
        }
    }

    /** Settings of a first-order optimizer, which has no curvature batch or damping. */
    public RecurrentTrainerSettings(
            RecurrentModelKind model,
            SequenceTask task,
            int length,
            int hiddenSize,
            long seed,
            int batchSize,
            long steps,
            int metricsInterval,
            RecurrentOptimizer optimizer,
            double learningRate,
            double decay,
            double gradientClip,
            long permutationSeed,
            String datasetPath,
            int testInterval,
            int testExamples) {
        this(
                model,
                task,
                length,
                hiddenSize,
                seed,
                batchSize,
                steps,
                metricsInterval,
                optimizer,
                learningRate,
                decay,
                gradientClip,
                permutationSeed,
                datasetPath,
                testInterval,
                testExamples,
                0,
                Double.NaN,
                0,
                1);
    }

    /**
     * The uRNN with RMSProp on copying or adding, without test measurements: the settings of the
     * first recurrent job.
     */
    public RecurrentTrainerSettings(
            SequenceTask task,
            int length,
            int hiddenSize,
            long seed,
            int batchSize,
            long steps,
            int metricsInterval,
            double learningRate,
            double decay) {
        this(
                RecurrentModelKind.URNN,
                task,
                length,
                hiddenSize,
                seed,
                batchSize,
                steps,
                metricsInterval,
                RecurrentOptimizer.RMSPROP,
                learningRate,
                decay,
                0,
                0,
                null,
                0,
                1);
    }

    /** Returns these settings with a uRNN's batch on {@code count} threads. */
    public RecurrentTrainerSettings withThreads(int count) {
        return new RecurrentTrainerSettings(
                model,
                task,
                length,
                hiddenSize,
                seed,
                batchSize,
                steps,
                metricsInterval,
                optimizer,
                learningRate,
                decay,
                gradientClip,
                permutationSeed,
                datasetPath,
                testInterval,
                testExamples,
                curvatureBatch,
                initialDamping,
                maxInnerIterations,
                count);
    }

    /** Returns T of the sequences the job trains on: T + 20 for copying, T for adding, 784. */
    public int timeSteps() {
        return task.timeSteps(length);
    }

    /**
     * The settings in one line for a person, as the command's start line prints them: for example
     * "hidden 128, copying at T = 100, batch 20, rmsprop (learning rate 0.001, decay 0.9)". {@link
     * #describe()} keeps them as keys and values for the records.
     */
    public String summary() {
        StringBuilder line =
                new StringBuilder()
                        .append("hidden ")
                        .append(hiddenSize)
                        .append(", ")
                        .append(task.optionName());
        if (!task.isPixelTask()) {
            line.append(" at T = ").append(length);
        } else if (task == SequenceTask.PERMUTED_PIXEL) {
            line.append(" (permutation seed ").append(permutationSeed).append(')');
        }
        line.append(", ");
        if (optimizer.isSecondOrder()) {
            line.append(
                    String.format(
                            Locale.ROOT,
                            "%s (gradient batch %d, curvature batch %d, damping %s, at most %d"
                                    + " inner iterations)",
                            optimizer.optionName(),
                            batchSize,
                            curvatureBatch,
                            initialDamping,
                            maxInnerIterations));
        } else {
            line.append(
                    String.format(
                            Locale.ROOT,
                            "batch %d, %s (learning rate %s%s)",
                            batchSize,
                            optimizer.optionName(),
                            learningRate,
                            optimizer == RecurrentOptimizer.RMSPROP ? ", decay " + decay : ""));
        }
        if (gradientClip > 0) {
            line.append(String.format(Locale.ROOT, ", gradients clipped to norm %s", gradientClip));
        }
        return line.toString();
    }

    /** The hyperparameters and batch size, for metrics records and manifests. */
    public Map<String, String> describe() {
        Map<String, String> description = new HashMap<>();
        description.put("model", model.optionName());
        description.put("task", task.optionName());
        description.put("taskLength", Integer.toString(length));
        description.put("hiddenSize", Integer.toString(hiddenSize));
        description.put("batchSize", Integer.toString(batchSize));
        description.put("optimizer", optimizer.optionName());
        if (optimizer.isSecondOrder()) {
            description.put("gradientBatch", Integer.toString(batchSize));
            description.put("curvatureBatch", Integer.toString(curvatureBatch));
            description.put("damping", String.format(Locale.ROOT, "%s", initialDamping));
            description.put("maxInnerIterations", Integer.toString(maxInnerIterations));
        } else {
            description.put("learningRate", String.format(Locale.ROOT, "%s", learningRate));
            if (optimizer == RecurrentOptimizer.RMSPROP) {
                description.put("decay", String.format(Locale.ROOT, "%s", decay));
            } else {
                description.put("beta1", Double.toString(RecurrentOptimizer.ADAM_BETA1));
                description.put("beta2", Double.toString(RecurrentOptimizer.ADAM_BETA2));
            }
            description.put("epsilon", String.format(Locale.ROOT, "%s", EPSILON));
        }
        if (gradientClip > 0) {
            description.put("gradientClip", String.format(Locale.ROOT, "%s", gradientClip));
        }
        if (task == SequenceTask.PERMUTED_PIXEL) {
            description.put("permutationSeed", Long.toString(permutationSeed));
        }
        if (task.isPixelTask()) {
            description.put("testInterval", Integer.toString(testInterval));
            description.put("testExamples", Integer.toString(testExamples));
        }
        return description;
    }
}
