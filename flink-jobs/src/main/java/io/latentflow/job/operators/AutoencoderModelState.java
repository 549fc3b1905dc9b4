package io.latentflow.job.operators;

/**
 * An autoencoder run's trainable state as Flink keeps it: the parameters, the optimizer's state,
 * and the run's cost so far. Which fields are used depends on the optimizer; the others are null.
 */
public class AutoencoderModelState {
    /** The network's flat parameter vector. */
    public float[] parameters;

    /** SGD's velocity or Adam's first moment. */
    public float[] firstMoment;

    /** Adam's second moment. */
    public float[] secondMoment;

    /** RMSProp's running mean square. */
    public double[] meanSquare;

    /** Updates applied by a first-order optimizer, or steps taken by a Hessian-free one. */
    public long updates;

    /** Hessian-free: the damping lambda of the next step. */
    public double damping;

    /** Hessian-free: the last accepted step, which warm-starts conjugate gradients; or null. */
    public double[] previousStep;

    /** Training examples consumed by the steps so far. */
    public long examples;

    /** Work so far in passes over the training set, as the metrics record counts it. */
    public double computePasses;

    /** Wall nanoseconds in training steps so far; for plots only, never used in training. */
    public long trainingNanos;

    /** For Flink's POJO serializer. */
    public AutoencoderModelState() {}
}
