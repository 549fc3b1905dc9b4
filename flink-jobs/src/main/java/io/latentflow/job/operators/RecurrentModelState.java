package io.latentflow.job.operators;

/**
 * A recurrent run's trainable state as Flink keeps it: the network's parameter vector and the
 * optimizer's state with its update count. RMSProp keeps its running mean square in {@code
 * meanSquare} and no first moment; Adam keeps its second moment v in {@code meanSquare} and its
 * first moment m in {@code firstMoment}. A Hessian-free optimizer keeps its step count in {@code
 * updates}, the damping of its next step in {@code damping} and its last step, which warm-starts
 * conjugate gradients, in {@code previousStep}. The uRNN's permutation and the layouts follow from
 * the settings and the seed, so they are not stored.
 */
public class RecurrentModelState {
    public double[] parameters;
    public double[] meanSquare;
    public double[] firstMoment;
    public long updates;

    /** Hessian-free: the damping lambda of the next step; 0 for first-order optimizers. */
    public double damping;

    /** Hessian-free: the last step taken, or null. */
    public double[] previousStep;

    /** For Flink's POJO serializer. */
    public RecurrentModelState() {}

    RecurrentModelState(
            double[] parameters, double[] meanSquare, double[] firstMoment, long updates) {
        this.parameters = parameters;
        this.meanSquare = meanSquare;
        this.firstMoment = firstMoment;
        this.updates = updates;
    }
}
