package io.latentflow.core.recurrent;

/**
 * What a trainer needs of a recurrent network on {@link SequenceBatch}es: a flat float64 parameter
 * vector that an optimizer updates in place, outputs at every step, and the loss with its gradient
 * by backpropagation through time. Both the {@link UnitaryEvolutionRnn} and the {@link
 * LongShortTermMemory} baseline are trained through it, so that they see the same tasks, the same
 * optimizers and the same metrics.
 */
public interface RecurrentNetwork {
    /** Returns the live parameter vector, not a copy. */
    double[] parameters();

    /** Returns y_t for every step and example, time-major: T * B * k values. */
    double[] outputs(SequenceBatch batch);

    /**
     * Runs the network over a batch, backpropagates the loss through time, and writes the gradient
     * of every parameter and the mean over the batch of |dL/dh_t| for every step.
     *
     * @param gradient receives dL/d parameters, laid out like {@link #parameters()}; overwritten
     * @param stateGradientNorms receives the T norms, step 0 first; null for none
     * @return the loss
     */
    double lossAndGradient(
            SequenceBatch batch, SequenceLoss loss, double[] gradient, double[] stateGradientNorms);

    /**
     * Runs the network over a batch at the current parameters and returns products with the
     * curvature of the loss there, for the Hessian-free optimizers. The products read what this
     * call computed, so they stay those of this point after the parameters change.
     *
     * @throws UnsupportedOperationException for a network without curvature products
     */
    default RecurrentCurvature curvature(SequenceBatch batch, SequenceLoss loss) {
        throw new UnsupportedOperationException(
                modelName()
                        + " has no curvature products, so it trains with first-order optimizers only");
    }

    /** Returns the SHA-256 digest of the parameters as float64 big-endian, in lower-case hex. */
    String parameterHash();

    /**
     * Returns max |W^H W - I| of the recurrent matrix, or NaN for a network whose recurrent matrix
     * is not meant to be unitary.
     */
    double unitarityDeviation();

    /** Returns the network's name in records and on the command line: urnn or lstm. */
    String modelName();

    /** Wraps a uRNN, whose own methods already have these meanings. */
    static RecurrentNetwork of(UnitaryEvolutionRnn network) {
        return new RecurrentNetwork() {
            @Override
            public double[] parameters() {
                return network.parameters();
            }

            @Override
            public double[] outputs(SequenceBatch batch) {
                return network.outputs(batch);
            }

            @Override
            public double lossAndGradient(
                    SequenceBatch batch,
                    SequenceLoss loss,
                    double[] gradient,
                    double[] stateGradientNorms) {
                return network.lossAndGradient(batch, loss, gradient, stateGradientNorms);
            }

            @Override
            public RecurrentCurvature curvature(SequenceBatch batch, SequenceLoss loss) {
                return network.curvature(batch, loss);
            }

            @Override
            public String parameterHash() {
                return network.parameterHash();
            }

            @Override
            public double unitarityDeviation() {
                return network.unitarityDeviation();
            }

            @Override
            public String modelName() {
                return "urnn";
            }
        };
    }
}
