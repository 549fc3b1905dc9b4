package io.latentflow.core.recurrent;

/**
 * A loss on the outputs of a recurrent model at every time step of a mini-batch, with the targets
 * and a mask of the time steps that count held by the implementation.
 *
 * <p>Outputs are time-major like {@link SequenceBatch}: the output of example b at step t occupies
 * {@code outputs[(t * batchSize + b) * outputSize ..]}.
 */
public interface SequenceLoss {
    /**
     * Returns the loss of the outputs and writes its gradient with respect to every output.
     *
     * @param outputs T * B * outputSize model outputs, not modified
     * @param timeSteps T
     * @param batchSize B
     * @param outputSize outputs per step
     * @param outputGradient receives dL/d outputs, same layout; entries of masked-out steps are 0
     * @return the loss, a mean as documented by the implementation
     */
    double evaluate(
            double[] outputs,
            int timeSteps,
            int batchSize,
            int outputSize,
            double[] outputGradient);

    /**
     * Writes the product of the loss's Hessian with respect to the outputs with a direction of the
     * outputs, (d2L / dy2) r, at the given outputs: the loss's part of a Gauss-Newton or full
     * Hessian product, after the model's Jacobian has carried a parameter direction to r.
     *
     * @param outputs T * B * outputSize model outputs, not modified
     * @param timeSteps T
     * @param batchSize B
     * @param outputSize outputs per step
     * @param direction r, same layout as the outputs, not modified
     * @param product receives (d2L / dy2) r, same layout; entries of masked-out steps are 0
     */
    void hessianTimes(
            double[] outputs,
            int timeSteps,
            int batchSize,
            int outputSize,
            double[] direction,
            double[] product);
}
