package io.latentflow.job.operators;

import io.latentflow.core.recurrent.LongShortTermMemory;
import io.latentflow.core.recurrent.MeanSquaredError;
import io.latentflow.core.recurrent.RecurrentNetwork;
import io.latentflow.core.recurrent.SequenceBatch;
import io.latentflow.core.recurrent.TimeStepMask;
import io.latentflow.core.recurrent.UnitaryEvolutionRnn;
import java.util.Locale;

/**
 * The recurrent networks the sequence job trains: the unitary evolution RNN of Arjovsky, Shah and
 * Bengio (<a href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>) and the LSTM baseline it
 * is compared with.
 */
public enum RecurrentModelKind {
    /** {@link UnitaryEvolutionRnn}, n complex hidden units. */
    URNN,

    /** {@link LongShortTermMemory}, n hidden and n cell units. */
    LSTM;

    /** Returns the model named urnn or lstm, in any case. */
    public static RecurrentModelKind parse(String name) {
        for (RecurrentModelKind kind : values()) {
            if (kind.optionName().equalsIgnoreCase(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown recurrent model '" + name + "': urnn or lstm");
    }

    /** Returns the name on the command line and in records. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Returns a freshly initialized network of this kind for a task, seeded, on one thread. */
    public RecurrentNetwork create(int inputSize, int hiddenSize, int outputSize, long seed) {
        return create(inputSize, hiddenSize, outputSize, seed, 1);
    }

    /**
     * Returns a freshly initialized network of this kind for a task, seeded; a uRNN runs a batch's
     * examples on up to {@code threads} threads, with the same results as on one, and the LSTM on
     * one whatever the count.
     */
    public RecurrentNetwork create(
            int inputSize, int hiddenSize, int outputSize, long seed, int threads) {
        return switch (this) {
            case URNN -> {
                UnitaryEvolutionRnn network =
                        new UnitaryEvolutionRnn(inputSize, hiddenSize, outputSize, seed);
                network.useThreads(threads);
                yield RecurrentNetwork.of(network);
            }
            case LSTM -> new LongShortTermMemory(inputSize, hiddenSize, outputSize, seed);
        };
    }

    /**
     * Whether this kind's network offers curvature products, which the Hessian-free optimizers
     * need: asks a network of two hidden units for them on one step of one sequence, so that a
     * network gains the Hessian-free optimizers by implementing {@link RecurrentNetwork#curvature}
     * and nothing here names which one does.
     */
    public boolean hasCurvature() {
        RecurrentNetwork probe = create(1, 2, 1, 1);
        try {
            probe.curvature(
                    new SequenceBatch(1, 1, 1, new double[] {1}),
                    new MeanSquaredError(new double[] {0}, TimeStepMask.allSteps(1)));
            return true;
        } catch (UnsupportedOperationException none) {
            return false;
        }
    }
}
