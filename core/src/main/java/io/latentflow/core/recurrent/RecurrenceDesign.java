package io.latentflow.core.recurrent;

/**
 * How a {@link UnitaryEvolutionRnn} runs its recurrence; both give the same outputs and gradients
 * to rounding. Which is faster depends on the hidden size n: the factor loops cost O(n log n) per
 * row and step, most of it in O(n) element-wise passes rather than in their two FFT pairs, the
 * dense matrix O(n^2) per row and step in OpenBLAS products that run near the machine's peak.
 */
public enum RecurrenceDesign {
    /**
     * W applied as its factors D3 R2 F^-1 D2 P R1 F D1 to every state, in loops over primitive
     * arrays with JTransforms for the DFT.
     */
    FACTOR_LOOPS,

    /**
     * W built once per mini-batch as a real 2n x 2n matrix, the recurrence run as one matrix
     * product per step, dL/dW pushed back through the factors once per mini-batch; see {@link
     * DenseRecurrence}.
     */
    DENSE_MATRIX;

    /**
     * The largest hidden size for which {@link #forHiddenSize} picks the dense matrix, from the
     * BPTT step times measured at batch 20 that README's uRNN section lists (dense faster at 32 to
     * 80, slower from 96).
     */
    public static final int DENSE_UP_TO_HIDDEN_SIZE = 80;

    /** Returns the faster design at hidden size n as measured on this project's machines. */
    public static RecurrenceDesign forHiddenSize(int hiddenSize) {
        return hiddenSize <= DENSE_UP_TO_HIDDEN_SIZE ? DENSE_MATRIX : FACTOR_LOOPS;
    }
}
