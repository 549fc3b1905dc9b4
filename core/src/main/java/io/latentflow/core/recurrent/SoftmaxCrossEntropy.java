package io.latentflow.core.recurrent;

import java.util.Arrays;

/**
 * Softmax cross-entropy at every counted time step, the cost of the copying memory task: outputs
 * are logits over classes, and the loss is the mean over counted steps and examples of -log
 * softmax(y)[target].
 */
public final class SoftmaxCrossEntropy implements SequenceLoss {
    private final int[] targets;
    private final boolean[] stepMask;

    /**
     * Creates the loss for one mini-batch.
     *
     * @param targets the target class of example b at step t at {@code t * batchSize + b}; not
     *     copied
     * @param stepMask which steps count; see {@link TimeStepMask}; not copied
     */
    public SoftmaxCrossEntropy(int[] targets, boolean[] stepMask) {
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
        if (targets.length != timeSteps * batchSize) {
            throw new IllegalArgumentException(
                    "targets must hold T * B = " + timeSteps * batchSize + " classes");
        }
        double weight = 1.0 / ((double) counted * batchSize);
        double total = 0;
        for (int t = 0; t < timeSteps; t++) {
            int rowStart = t * batchSize * outputSize;
            if (!stepMask[t]) {
                Arrays.fill(outputGradient, rowStart, rowStart + batchSize * outputSize, 0);
                continue;
            }
            for (int b = 0; b < batchSize; b++) {
                int offset = rowStart + b * outputSize;
                int target = targets[t * batchSize + b];
                if (target < 0 || target >= outputSize) {
                    throw new IllegalArgumentException(
                            "target " + target + " at step " + t + " is not a class");
                }
                // -log softmax(y)[k] = log sum_j e^{y_j - max} - (y_k - max)
                double max = Double.NEGATIVE_INFINITY;
                for (int o = 0; o < outputSize; o++) {
                    max = Math.max(max, outputs[offset + o]);
                }
                double sum = 0;
                for (int o = 0; o < outputSize; o++) {
                    double e = Math.exp(outputs[offset + o] - max);
                    outputGradient[offset + o] = e;
                    sum += e;
                }
                total += Math.log(sum) - (outputs[offset + target] - max);
                // dL/dy = (softmax(y) - onehot(k)) * weight
                for (int o = 0; o < outputSize; o++) {
                    outputGradient[offset + o] *= weight / sum;
                }
                outputGradient[offset + target] -= weight;
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
        double weight = 1.0 / ((double) counted * batchSize);
        for (int t = 0; t < timeSteps; t++) {
            int rowStart = t * batchSize * outputSize;
            if (!stepMask[t]) {
                Arrays.fill(product, rowStart, rowStart + batchSize * outputSize, 0);
                continue;
            }
            for (int b = 0; b < batchSize; b++) {
                int offset = rowStart + b * outputSize;
                // d2L/dy2 = weight (diag(p) - p p^T) for p = softmax(y), the same for every target
                double max = Double.NEGATIVE_INFINITY;
                for (int o = 0; o < outputSize; o++) {
                    max = Math.max(max, outputs[offset + o]);
                }
                double sum = 0;
                for (int o = 0; o < outputSize; o++) {
                    double e = Math.exp(outputs[offset + o] - max);
                    product[offset + o] = e;
                    sum += e;
                }
                double projection = 0;
                for (int o = 0; o < outputSize; o++) {
                    product[offset + o] /= sum;
                    projection += product[offset + o] * direction[offset + o];
                }
                for (int o = 0; o < outputSize; o++) {
                    double p = product[offset + o];
                    product[offset + o] = weight * p * (direction[offset + o] - projection);
                }
            }
        }
    }
}
