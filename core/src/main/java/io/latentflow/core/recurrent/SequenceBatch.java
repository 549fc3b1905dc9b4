package io.latentflow.core.recurrent;

/**
 * A mini-batch of equally long input sequences for a recurrent model, time-major: the input of
 * example b at step t occupies {@code inputs[(t * batchSize + b) * inputSize]} to {@code inputs[(t
 * * batchSize + b) * inputSize + inputSize - 1]}, so each time step is one contiguous block of
 * batchSize rows.
 *
 * @param timeSteps T, at least 1
 * @param batchSize B, at least 1
 * @param inputSize features per step, at least 1
 * @param inputs T * B * inputSize values, finite; not copied
 */
public record SequenceBatch(int timeSteps, int batchSize, int inputSize, double[] inputs) {
    /** Checks the sizes against each other. */
    public SequenceBatch {
        if (timeSteps < 1 || batchSize < 1 || inputSize < 1) {
            throw new IllegalArgumentException(
                    "timeSteps, batchSize and inputSize must be at least 1: "
                            + timeSteps
                            + ", "
                            + batchSize
                            + ", "
                            + inputSize);
        }
        long expected = (long) timeSteps * batchSize * inputSize;
        if (inputs.length != expected) {
            throw new IllegalArgumentException(
                    "inputs must hold T * B * inputSize = "
                            + expected
                            + " values, not "
                            + inputs.length);
        }
    }

    /** Returns T * B, the number of (step, example) rows. */
    public int rows() {
        return timeSteps * batchSize;
    }
}
