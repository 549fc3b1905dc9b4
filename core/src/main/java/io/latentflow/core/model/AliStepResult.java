package io.latentflow.core.model;

/**
 * What one {@link Ali#trainStep} measured. Losses and scores are means over the batch, computed
 * with the parameters as they were before the step.
 *
 * @param discriminatorLoss L_D = softplus(-D(x, z_hat)) + softplus(D(G(z), z))
 * @param generatorLoss L_GE = softplus(D(x, z_hat)) + softplus(-D(G(z), z)), the loss of the
 *     generator and encoder together
 * @param meanRealScore mean of sigmoid(D(x, z_hat)), the discriminator's probability that an
 *     encoder pair is real
 * @param meanFakeScore mean of sigmoid(D(G(z), z)), the same for generator pairs
 * @param discriminatorAccuracy fraction of the 2B pairs on the right side of logit 0: encoder pairs
 *     above, generator pairs below
 * @param discriminatorGradNorm L2 norm of the gradient of L_D over all discriminator parameters
 * @param generatorGradNorm L2 norm of the gradient of L_GE over all generator parameters
 * @param encoderGradNorm L2 norm of the gradient of L_GE over all encoder parameters
 * @param applied whether the Adam updates were applied; false when a loss or gradient was not
 *     finite, in which case the model is unchanged
 */
public record AliStepResult(
        double discriminatorLoss,
        double generatorLoss,
        double meanRealScore,
        double meanFakeScore,
        double discriminatorAccuracy,
        double discriminatorGradNorm,
        double generatorGradNorm,
        double encoderGradNorm,
        boolean applied) {

    /** Returns a copy that records whether the updates were applied. */
    AliStepResult withApplied(boolean wasApplied) {
        return new AliStepResult(
                discriminatorLoss,
                generatorLoss,
                meanRealScore,
                meanFakeScore,
                discriminatorAccuracy,
                discriminatorGradNorm,
                generatorGradNorm,
                encoderGradNorm,
                wasApplied);
    }

    /** Returns whether every loss and gradient norm is a finite number. */
    boolean allFinite() {
        return Double.isFinite(discriminatorLoss)
                && Double.isFinite(generatorLoss)
                && Double.isFinite(discriminatorGradNorm)
                && Double.isFinite(generatorGradNorm)
                && Double.isFinite(encoderGradNorm);
    }
}
