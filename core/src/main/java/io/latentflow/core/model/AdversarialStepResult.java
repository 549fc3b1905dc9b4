package io.latentflow.core.model;

/**
 * What one training step or evaluation of an {@link AdversarialModel} measured. Losses and scores
 * are means over the batch, computed with the parameters as they were before the step. "Real" pairs
 * are data (with ALI, the encoder pairs (x, E(x))); "generated" pairs are (G(z), z) or G(z).
 *
 * @param discriminatorLoss L_D = softplus(-D(real)) + softplus(D(generated)), the negated value
 *     V(D, G) of the minimax game
 * @param generatorLoss the cost the generator (with ALI, generator and encoder together) minimizes,
 *     as the model's {@link GeneratorCost} defines it
 * @param meanRealScore mean of sigmoid(D(real)), the discriminator's probability that a real pair
 *     is real
 * @param meanFakeScore mean of sigmoid(D(generated)), the same for generated pairs
 * @param discriminatorAccuracy fraction of the 2B pairs on the right side of logit 0
 * @param realAccuracy fraction of real pairs with a logit above 0
 * @param fakeAccuracy fraction of generated pairs with a logit below 0
 * @param discriminatorGradNorm L2 norm of the gradient of L_D over all discriminator parameters
 * @param generatorGradNorm L2 norm of the generator cost's gradient over the generator's parameters
 * @param encoderGradNorm the same over the encoder's parameters; 0 for a model without an encoder
 * @param applied whether the updates were applied; false when a loss or gradient was not finite, in
 *     which case the model is unchanged, and false for an evaluation
 */
public record AdversarialStepResult(
        double discriminatorLoss,
        double generatorLoss,
        double meanRealScore,
        double meanFakeScore,
        double discriminatorAccuracy,
        double realAccuracy,
        double fakeAccuracy,
        double discriminatorGradNorm,
        double generatorGradNorm,
        double encoderGradNorm,
        boolean applied) {

    /** Returns a copy that records whether the updates were applied. */
    AdversarialStepResult withApplied(boolean wasApplied) {
        return new AdversarialStepResult(
                discriminatorLoss,
                generatorLoss,
                meanRealScore,
                meanFakeScore,
                discriminatorAccuracy,
                realAccuracy,
                fakeAccuracy,
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

    /**
     * Returns the L2 norm of the generator cost's gradient over every parameter the cost trains:
     * the generator's, and with ALI the encoder's too.
     */
    public double generatorSideGradNorm() {
        return Math.hypot(generatorGradNorm, encoderGradNorm);
    }
}
