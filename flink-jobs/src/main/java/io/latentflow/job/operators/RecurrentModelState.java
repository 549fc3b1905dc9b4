package io.latentflow.job.operators;

/**
 * A recurrent run's trainable state as Flink keeps it: the uRNN's parameter vector and RMSProp's
 * running mean square with its update count. The permutation and the layout follow from the
 * settings and the seed, so they are not stored.
 */
public class RecurrentModelState {
    public double[] parameters;
    public double[] meanSquare;
    public long updates;

    /** For Flink's POJO serializer. */
    public RecurrentModelState() {}

    RecurrentModelState(double[] parameters, double[] meanSquare, long updates) {
        this.parameters = parameters;
        this.meanSquare = meanSquare;
        this.updates = updates;
    }
}
