package io.latentflow.core.model;

/**
 * One side of the adversarial game, as a Hessian-free step optimizes it: the discriminator on L_D,
 * or the generator (with ALI's encoder) on the {@link GeneratorCost} with the discriminator frozen.
 */
public enum AdversarialPlayer {
    /** The discriminator's parameters under L_D = softplus(-D(real)) + softplus(D(generated)). */
    DISCRIMINATOR,
    /**
     * The generator's parameters, followed for ALI by the encoder's, under the generator's cost;
     * the discriminator is held fixed.
     */
    GENERATOR
}
