package io.latentflow.job.operators;

import io.latentflow.core.recurrent.LongShortTermMemory;
import io.latentflow.core.recurrent.RecurrentNetwork;
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

    /** Returns a freshly initialized network of this kind for a task, seeded. */
    public RecurrentNetwork create(int inputSize, int hiddenSize, int outputSize, long seed) {
        return switch (this) {
            case URNN ->
                    RecurrentNetwork.of(
                            new UnitaryEvolutionRnn(inputSize, hiddenSize, outputSize, seed));
            case LSTM -> new LongShortTermMemory(inputSize, hiddenSize, outputSize, seed);
        };
    }
}
