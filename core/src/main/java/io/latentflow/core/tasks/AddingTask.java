package io.latentflow.core.tasks;

import io.latentflow.core.recurrent.MeanSquaredError;
import io.latentflow.core.recurrent.SequenceBatch;
import io.latentflow.core.recurrent.TimeStepMask;
import java.util.SplittableRandom;

/**
 * The adding problem (Hochreiter and Schmidhuber 1997) in the form of Arjovsky, Shah and Bengio (<a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>, section 4.2): add the two marked
 * numbers of a long sequence.
 *
 * <p>Each of T steps has two input channels: a value uniform in [0, 1) and a marker that is 1 at
 * exactly two steps, one in the first half [0, T/2) and one in the second [T/2, T), and 0
 * elsewhere. The target, the sum of the two marked values, is read from the output of the last step
 * by mean squared error. Predicting 1 whatever the input costs the variance of the sum of two
 * uniform values, 2/12 = 0.167, the baseline.
 *
 * <p>Example s of a task seeded with seed is drawn from {@code new
 * SplittableRandom(ExampleSeed.derive(seed, s))} alone: the T values in order by {@code
 * nextDouble()}, then the first marker's step by {@code nextInt(T / 2)}, then the second's by
 * {@code T / 2 + nextInt(T - T / 2)}.
 */
public final class AddingTask {
    /** The mean squared error of always predicting 1: Var(U1 + U2) = 1/6. */
    public static final double BASELINE_MSE = 1.0 / 6;

    /** Input channels per step: value and marker. */
    public static final int INPUT_CHANNELS = 2;

    private final int timeSteps;
    private final long seed;

    /**
     * Creates the task.
     *
     * @param timeSteps T, at least 2
     * @param seed the run's seed
     */
    public AddingTask(int timeSteps, long seed) {
        if (timeSteps < 2) {
            throw new IllegalArgumentException("timeSteps must be at least 2: " + timeSteps);
        }
        this.timeSteps = timeSteps;
        this.seed = seed;
    }

    /**
     * One example.
     *
     * @param values the T values
     * @param firstMarker the marked step in the first half
     * @param secondMarker the marked step in the second half
     * @param target values[firstMarker] + values[secondMarker]
     */
    public record Example(double[] values, int firstMarker, int secondMarker, double target) {}

    /** Returns T. */
    public int sequenceLength() {
        return timeSteps;
    }

    /** Returns example {@code sequence}, the same every time it is asked for. */
    public Example example(long sequence) {
        SplittableRandom random = new SplittableRandom(ExampleSeed.derive(seed, sequence));
        double[] values = new double[timeSteps];
        for (int t = 0; t < timeSteps; t++) {
            values[t] = random.nextDouble();
        }
        int half = timeSteps / 2;
        int first = random.nextInt(half);
        int second = half + random.nextInt(timeSteps - half);
        return new Example(values, first, second, values[first] + values[second]);
    }

    /**
     * Returns examples {@code firstSequence} to {@code firstSequence + batchSize - 1} as inputs
     * with two channels and the squared error on the last step's single output.
     */
    public TaskBatch batch(long firstSequence, int batchSize) {
        double[] inputs = new double[timeSteps * batchSize * INPUT_CHANNELS];
        double[] targets = new double[timeSteps * batchSize];
        for (int b = 0; b < batchSize; b++) {
            Example example = example(firstSequence + b);
            for (int t = 0; t < timeSteps; t++) {
                int row = t * batchSize + b;
                inputs[row * INPUT_CHANNELS] = example.values[t];
            }
            inputs[(example.firstMarker * batchSize + b) * INPUT_CHANNELS + 1] = 1;
            inputs[(example.secondMarker * batchSize + b) * INPUT_CHANNELS + 1] = 1;
            targets[(timeSteps - 1) * batchSize + b] = example.target;
        }
        return new TaskBatch(
                new SequenceBatch(timeSteps, batchSize, INPUT_CHANNELS, inputs),
                new MeanSquaredError(targets, TimeStepMask.lastStep(timeSteps)),
                firstSequence);
    }
}
