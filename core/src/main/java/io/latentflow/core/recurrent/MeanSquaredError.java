package io.latentflow.core.recurrent;

import java.util.Arrays;

/**
 * Mean squared error at every counted time step, the cost of the adding task (which counts only the
 * last step): the mean over counted steps, examples and outputs of (y - target)^2.
 */
public final class MeanSquaredError implements SequenceLoss {
    private final double[] targets;
    private final boolean[] stepMask;

    /**
     * Creates the loss for one mini-batch.
     *
     * @param targets time-major like the outputs, T * B * outputSize values; those of masked-out
     *     steps are ignored; not copied
     * @param stepMask which steps count; see {@link TimeStepMask}; not copied
     */
    public MeanSquaredError(double[] targets, boolean[] stepMask) {
        this.targets = targets;
        this.stepMask = stepMask;
    }

    @Override
    public double evaluate(
            double[] outputs,
            int timeSteps,
            int batchSize,
            int outputSize,
            double[] outputGradient) {
        int counted = TimeStepMask.countAndCheck(stepMask, timeSteps);
        if (targets.length != outputs.length) {
            throw new IllegalArgumentException(
                    "targets must hold " + outputs.length + " values, not " + targets.length);
        }
        double weight = 1.0 / ((double) counted * batchSize * outputSize);
        int stepLength = batchSize * outputSize;
        double total = 0;
        for (int t = 0; t < timeSteps; t++) {
            int start = t * stepLength;
            if (!stepMask[t]) {
                Arrays.fill(outputGradient, start, start + stepLength, 0);
                continue;
            }
            // L = weight * sum (y - target)^2, dL/dy = 2 weight (y - target)
            for (int i = start; i < start + stepLength; i++) {
                double difference = outputs[i] - targets[i];
                total += difference * difference;
                outputGradient[i] = 2 * weight * difference;
            }
        }
        return total * weight;
    }

    @Override
    public void hessianTimes(
            double[] outputs,
            int timeSteps,
            int batchSize,
            int outputSize,
            double[] direction,
            double[] product) {
        int counted = TimeStepMask.countAndCheck(stepMask, timeSteps);
        double weight = 1.0 / ((double) counted * batchSize * outputSize);
        int stepLength = batchSize * outputSize;
        // d2L/dy2 = 2 weight I on the counted steps, 0 on the others
        for (int t = 0; t < timeSteps; t++) {
            int start = t * stepLength;
            if (!stepMask[t]) {
                Arrays.fill(product, start, start + stepLength, 0);
                continue;
            }
            for (int i = start; i < start + stepLength; i++) {
                product[i] = 2 * weight * direction[i];
            }
        }
    }
}
