package io.latentflow.core.tasks;

import io.latentflow.core.recurrent.SequenceBatch;
import io.latentflow.core.recurrent.SoftmaxCrossEntropy;
import io.latentflow.core.recurrent.TimeStepMask;
import java.util.SplittableRandom;

/**
 * The copying memory problem of Arjovsky, Shah and Bengio (<a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>, section 4.1): remember 10 symbols
 * over a delay of T steps and reproduce them on cue.
 *
 * <p>An input sequence of T + 20 steps holds 10 symbols drawn uniformly from an alphabet of 8
 * (classes 1 to 8), then T - 1 blanks (class 0), the delimiter (class 9) and 10 more blanks; so T
 * steps pass between the last symbol and the delimiter's cue. The target is T + 10 blanks followed
 * by the 10 symbols. Inputs are one-hot over 10 classes, outputs are logits over 9 (blank and the 8
 * symbols). The cost is the cross-entropy averaged over all T + 20 steps; always predicting blanks
 * and then the uniform distribution over the symbols costs 10 log 8 / (T + 20), the baseline.
 *
 * <p>Example s of a task seeded with seed is drawn from {@code new
 * SplittableRandom(ExampleSeed.derive(seed, s))} alone: the 10 symbols, in order, by {@code 1 +
 * nextInt(8)}.
 */
public final class CopyingMemoryTask {
    /** Symbols to remember. */
    public static final int REMEMBERED = 10;

    /** Size of the alphabet the symbols come from. */
    public static final int ALPHABET = 8;

    /** The blank class, input and target. */
    public static final int BLANK = 0;

    /** The delimiter class, input only. */
    public static final int DELIMITER = ALPHABET + 1;

    /** Input classes: blank, 8 symbols, delimiter. */
    public static final int INPUT_CLASSES = ALPHABET + 2;

    /** Output classes: blank and 8 symbols. */
    public static final int OUTPUT_CLASSES = ALPHABET + 1;

    private final int delay;
    private final long seed;

    /**
     * Creates the task.
     *
     * @param delay T, at least 1
     * @param seed the run's seed
     */
    public CopyingMemoryTask(int delay, long seed) {
        if (delay < 1) {
            throw new IllegalArgumentException("delay must be at least 1: " + delay);
        }
        this.delay = delay;
        this.seed = seed;
    }

    /** One example: input classes and target classes, T + 20 of each. */
    public record Example(int[] inputs, int[] targets) {}

    /** Returns T + 20, the length of every sequence. */
    public int sequenceLength() {
        return delay + 2 * REMEMBERED;
    }

    /** Returns the cost of the memoryless baseline, 10 log 8 / (T + 20). */
    public double baselineCost() {
        return REMEMBERED * Math.log(ALPHABET) / sequenceLength();
    }

    /** Returns example {@code sequence}, the same every time it is asked for. */
    public Example example(long sequence) {
        SplittableRandom random = new SplittableRandom(ExampleSeed.derive(seed, sequence));
        int length = sequenceLength();
        int[] inputs = new int[length];
        int[] targets = new int[length];
        for (int i = 0; i < REMEMBERED; i++) {
            int symbol = 1 + random.nextInt(ALPHABET);
            inputs[i] = symbol;
            targets[length - REMEMBERED + i] = symbol;
        }
        inputs[REMEMBERED + delay - 1] = DELIMITER;
        return new Example(inputs, targets);
    }

    /**
     * Returns examples {@code firstSequence} to {@code firstSequence + batchSize - 1} as one-hot
     * inputs and the cross-entropy over every step.
     */
    public TaskBatch batch(long firstSequence, int batchSize) {
        int length = sequenceLength();
        double[] inputs = new double[length * batchSize * INPUT_CLASSES];
        int[] targets = new int[length * batchSize];
        for (int b = 0; b < batchSize; b++) {
            Example example = example(firstSequence + b);
            for (int t = 0; t < length; t++) {
                inputs[(t * batchSize + b) * INPUT_CLASSES + example.inputs[t]] = 1;
                targets[t * batchSize + b] = example.targets[t];
            }
        }
        return new TaskBatch(
                new SequenceBatch(length, batchSize, INPUT_CLASSES, inputs),
                new SoftmaxCrossEntropy(targets, TimeStepMask.allSteps(length)),
                firstSequence);
    }

    /**
     * Returns the fraction of the 10 recalled symbols, over a batch, whose largest output logit is
     * the target symbol: the accuracy on the part of the sequence that needs memory.
     *
     * @param outputs logits over {@link #OUTPUT_CLASSES} for every step and example, time-major as
     *     a model returns them for {@link #batch(long, int)}
     * @param firstSequence the batch's first sequence number
     * @param batchSize the batch's size
     */
    public double recallAccuracy(double[] outputs, long firstSequence, int batchSize) {
        int length = sequenceLength();
        int[] targets = new int[length * batchSize];
        for (int b = 0; b < batchSize; b++) {
            int[] exampleTargets = example(firstSequence + b).targets;
            for (int t = 0; t < length; t++) {
                targets[t * batchSize + b] = exampleTargets[t];
            }
        }
        return recallAccuracy(outputs, targets, length, batchSize);
    }

    /**
     * Returns the fraction of the recalled symbols, the last 10 steps of every sequence, whose
     * largest output logit is the target class.
     *
     * @param outputs logits over {@link #OUTPUT_CLASSES}, T * B rows, time-major
     * @param targets the target class of example b at step t at {@code t * batchSize + b}
     * @param timeSteps T + 20, the sequence length
     * @param batchSize B
     */
    public static double recallAccuracy(
            double[] outputs, int[] targets, int timeSteps, int batchSize) {
        if (outputs.length != timeSteps * batchSize * OUTPUT_CLASSES
                || targets.length != timeSteps * batchSize
                || timeSteps < REMEMBERED) {
            throw new IllegalArgumentException(
                    "need T * B * "
                            + OUTPUT_CLASSES
                            + " logits and T * B targets with T >= "
                            + REMEMBERED
                            + ", had "
                            + outputs.length
                            + " and "
                            + targets.length
                            + " for T = "
                            + timeSteps
                            + ", B = "
                            + batchSize);
        }
        int correct = 0;
        for (int t = timeSteps - REMEMBERED; t < timeSteps; t++) {
            for (int b = 0; b < batchSize; b++) {
                int offset = (t * batchSize + b) * OUTPUT_CLASSES;
                int best = 0;
                for (int o = 1; o < OUTPUT_CLASSES; o++) {
                    if (outputs[offset + o] > outputs[offset + best]) {
                        best = o;
                    }
                }
                correct += best == targets[t * batchSize + b] ? 1 : 0;
            }
        }
        return (double) correct / (REMEMBERED * batchSize);
    }
}
