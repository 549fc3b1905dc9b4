package io.latentflow.core.nn;

/**
 * Which gradients a backward pass through a {@link FeedForwardNetwork} computes. Skipping the
 * parameter gradients saves one matrix product per layer when only the gradient with respect to the
 * input is wanted, as for a discriminator that passes the generator's loss through.
 */
public enum GradientTarget {
    /** Only the gradient with respect to the parameters, written into the flat gradient vector. */
    PARAMETERS,
    /** Only the gradient with respect to the input; the flat gradient vector is left as it was. */
    INPUT,
    /** Both the parameter gradient and the input gradient. */
    PARAMETERS_AND_INPUT;

    boolean parameters() {
        return this != INPUT;
    }

    boolean input() {
        return this != PARAMETERS;
    }
}
