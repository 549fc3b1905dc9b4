package io.latentflow.job.operators;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the recurrent trainer operator trains every run it sees: a unitary evolution RNN on one
 * sequence task with RMSProp.
 *
 * @param task the task the sequences come from
 * @param length the delay T of copying or the length T of adding
 * @param hiddenSize n, complex hidden units
 * @param seed seeds the model's initialization and its permutation
 * @param batchSize sequences per mini-batch
 * @param steps mini-batches to train per run; 0 trains for as long as sequences arrive
 * @param metricsInterval a metrics record every this many steps (and at the first and last)
 * @param learningRate RMSProp's step size
 * @param decay RMSProp's decay of the mean square
 */
public record RecurrentTrainerSettings(
        SequenceTask task,
        int length,
        int hiddenSize,
        long seed,
        int batchSize,
        long steps,
        int metricsInterval,
        double learningRate,
        double decay)
        implements Serializable {

    /** RMSProp's epsilon, added to the root mean square. */
    public static final double EPSILON = 1e-8;

    public RecurrentTrainerSettings {
        if (task == null) {
            throw new IllegalArgumentException("a task is required");
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
    }

    /** Returns T of the sequences the job trains on: T + 20 for copying, T for adding. */
    public int timeSteps() {
        return task.timeSteps(length);
    }

    /** The hyperparameters and batch size, for metrics records and manifests. */
    public Map<String, String> describe() {
        Map<String, String> description = new HashMap<>();
        description.put("model", "urnn");
        description.put("task", task.optionName());
        description.put("taskLength", Integer.toString(length));
        description.put("hiddenSize", Integer.toString(hiddenSize));
        description.put("batchSize", Integer.toString(batchSize));
        description.put("optimizer", "rmsprop");
        description.put("learningRate", String.format(Locale.ROOT, "%s", learningRate));
        description.put("decay", String.format(Locale.ROOT, "%s", decay));
        description.put("epsilon", String.format(Locale.ROOT, "%s", EPSILON));
        return description;
    }
}
