package io.latentflow.core.recurrent;

/**
 * Where each parameter of a {@link LongShortTermMemory} lives in its flat parameter vector, in this
 * order: the input weights W_x (4n x m), the recurrent weights W_h (4n x n), the gate biases b
 * (4n), the output weights U (k x n) and the output bias c (k). Matrices are row-major, and the
 * rows of W_x, W_h and b come in four blocks of n, one per gate: input gate, forget gate, cell
 * candidate, output gate.
 *
 * @param inputSize m, features per input step
 * @param hiddenSize n, units of the hidden and the cell state
 * @param outputSize k, outputs per step
 */
public record LongShortTermMemoryLayout(int inputSize, int hiddenSize, int outputSize) {
    /** Checks the sizes. */
    public LongShortTermMemoryLayout {
        if (inputSize < 1 || hiddenSize < 1 || outputSize < 1) {
            throw new IllegalArgumentException(
                    "inputSize, hiddenSize and outputSize must be at least 1: "
                            + inputSize
                            + ", "
                            + hiddenSize
                            + ", "
                            + outputSize);
        }
    }

    /** Returns the number of gate pre-activations per step, 4n. */
    public int gates() {
        return 4 * hiddenSize;
    }

    /** Returns the offset of W_x, 4n x m. */
    public int inputWeights() {
        return 0;
    }

    /** Returns the offset of W_h, 4n x n. */
    public int recurrentWeights() {
        return inputWeights() + gates() * inputSize;
    }

    /** Returns the offset of the gate biases, 4n: input, forget, candidate, output. */
    public int gateBias() {
        return recurrentWeights() + gates() * hiddenSize;
    }

    /** Returns the offset of the forget gate's n biases inside the gate biases. */
    public int forgetBias() {
        return gateBias() + hiddenSize;
    }

    /** Returns the offset of U, k x n. */
    public int outputWeights() {
        return gateBias() + gates();
    }

    /** Returns the offset of the output bias c, k. */
    public int outputBias() {
        return outputWeights() + outputSize * hiddenSize;
    }

    /** Returns the number of parameters, 4n (m + n + 1) + k (n + 1). */
    public int size() {
        return outputBias() + outputSize;
    }
}
