package io.latentflow.core.nn;

/** The element-wise function a {@link FeedForwardNetwork} applies after its last dense layer. */
public enum OutputActivation {
    /** The last layer's affine output is the network's output, for example a logit. */
    IDENTITY,
    /** The logistic function 1 / (1 + exp(-a)), for outputs that are pixel intensities. */
    SIGMOID
}
