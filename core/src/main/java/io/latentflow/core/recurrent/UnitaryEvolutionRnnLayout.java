package io.latentflow.core.recurrent;

/**
 * Where each parameter of a {@link UnitaryEvolutionRnn} lives in its flat parameter vector (and, at
 * the same offsets, in its gradient). In order: the phases w1, w2, w3 of D1, D2, D3 (n each); the
 * reflection vectors v1 and v2 of R1 and R2, real parts then imaginary parts (n each); the modReLU
 * bias b (n); the input matrix V, real part then imaginary part (n x m each, row-major); the output
 * matrix U (k x 2n, row-major, acting on [Re h; Im h]); the output bias c (k); and the initial
 * hidden state h0, real part then imaginary part (n each).
 *
 * @param inputSize m
 * @param hiddenSize n, complex units
 * @param outputSize k
 */
public record UnitaryEvolutionRnnLayout(int inputSize, int hiddenSize, int outputSize) {
    /** Checks that every size is at least 1. */
    public UnitaryEvolutionRnnLayout {
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

    /** Returns the offset of the phases of D1 (factor 1), D2 (2) or D3 (3). */
    public int phase(int factor) {
        checkFactor(factor, 3);
        return (factor - 1) * hiddenSize;
    }

    /** Returns the offset of the real parts of reflection vector v1 (factor 1) or v2 (2). */
    public int reflectionReal(int factor) {
        checkFactor(factor, 2);
        return 3 * hiddenSize + (factor - 1) * 2 * hiddenSize;
    }

    /** Returns the offset of the imaginary parts of reflection vector v1 (factor 1) or v2 (2). */
    public int reflectionImaginary(int factor) {
        return reflectionReal(factor) + hiddenSize;
    }

    /** Returns the offset of the modReLU bias. */
    public int modReluBias() {
        return 7 * hiddenSize;
    }

    /** Returns the offset of the real part of V, n x m row-major. */
    public int inputReal() {
        return 8 * hiddenSize;
    }

    /** Returns the offset of the imaginary part of V, n x m row-major. */
    public int inputImaginary() {
        return inputReal() + hiddenSize * inputSize;
    }

    /** Returns the offset of U, k x 2n row-major. */
    public int outputWeights() {
        return inputImaginary() + hiddenSize * inputSize;
    }

    /** Returns the offset of the output bias c. */
    public int outputBias() {
        return outputWeights() + outputSize * 2 * hiddenSize;
    }

    /** Returns the offset of the initial state h0: real parts, then imaginary parts. */
    public int initialState() {
        return outputBias() + outputSize;
    }

    /** Returns the number of parameters. */
    public int size() {
        return initialState() + 2 * hiddenSize;
    }

    private static void checkFactor(int factor, int count) {
        if (factor < 1 || factor > count) {
            throw new IllegalArgumentException("factor must be 1 to " + count + ": " + factor);
        }
    }
}
