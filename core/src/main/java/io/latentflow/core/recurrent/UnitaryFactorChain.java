package io.latentflow.core.recurrent;

import java.util.Arrays;

/**
 * The recurrent matrix W = D3 R2 F^-1 D2 P R1 F D1 of the unitary evolution RNN (Arjovsky, Shah and
 * Bengio, <a href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>) as its factors, built
 * once per pass from the current parameters, applied to one interleaved complex vector at a time
 * (real part at 2j, imaginary part at 2j + 1) in O(n log n), and differentiated through.
 *
 * <p>Both recurrence designs use it: the per-step design applies it to every state, the dense
 * design to the basis vectors, to build W and to push dL/dW back into the parameters.
 *
 * <p>Instances hold scratch vectors and are not thread-safe.
 */
final class UnitaryFactorChain {
    private final UnitaryEvolutionRnnLayout layout;
    private final int[] permutation;
    private final UnitaryDft dft;
    private final PhaseDiagonal d1;
    private final PhaseDiagonal d2;
    private final PhaseDiagonal d3;
    private final HouseholderReflection r1;
    private final HouseholderReflection r2;
    private final double[] scratch;
    private final double[] firstPhaseOut;
    private final double[] firstReflectionIn;
    private final double[] secondPhaseOut;
    private final double[] secondReflectionIn;
    private final double[] work;
    private final double[] firstVectorGradient;
    private final double[] secondVectorGradient;

    UnitaryFactorChain(
            double[] parameters,
            UnitaryEvolutionRnnLayout layout,
            int[] permutation,
            UnitaryDft dft) {
        this.layout = layout;
        this.permutation = permutation;
        this.dft = dft;
        int n = layout.hiddenSize();
        d1 = new PhaseDiagonal(parameters, layout.phase(1), n);
        d2 = new PhaseDiagonal(parameters, layout.phase(2), n);
        d3 = new PhaseDiagonal(parameters, layout.phase(3), n);
        r1 =
                new HouseholderReflection(
                        parameters, layout.reflectionReal(1), layout.reflectionImaginary(1), n);
        r2 =
                new HouseholderReflection(
                        parameters, layout.reflectionReal(2), layout.reflectionImaginary(2), n);
        scratch = new double[2 * n];
        firstPhaseOut = new double[2 * n];
        firstReflectionIn = new double[2 * n];
        secondPhaseOut = new double[2 * n];
        secondReflectionIn = new double[2 * n];
        work = new double[2 * n];
        firstVectorGradient = new double[2 * n];
        secondVectorGradient = new double[2 * n];
    }

    /**
     * Writes W h into the interleaved {@code row}, with h split: real parts at {@code split[offset
     * + j]}, imaginary parts at {@code split[offset + n + j]}.
     */
    void applyToSplit(double[] split, int offset, double[] row) {
        d1.applyToSplit(split, offset, row);
        applyAfterFirstPhase(row);
    }

    /** Interleaved vectors of 2n that {@link #applyToSplitKeeping} keeps per application. */
    static final int KEPT_VECTORS = 4;

    /**
     * As {@link #applyToSplit}, and copies the intermediate vectors the backward pass needs, F D1
     * h, D2 P R1 F D1 h, F^-1 D2 P R1 F D1 h and W h, to {@code kept[keptOffset..]}, 2n values
     * each, so that {@link #backwardFromKept} need not apply the chain again.
     */
    void applyToSplitKeeping(
            double[] split, int offset, double[] row, double[] kept, int keptOffset) {
        int width = row.length;
        d1.applyToSplit(split, offset, row);
        dft.forward(row, 0);
        System.arraycopy(row, 0, kept, keptOffset, width);
        r1.apply(row);
        permute(row);
        d2.apply(row);
        System.arraycopy(row, 0, kept, keptOffset + width, width);
        dft.inverse(row, 0);
        System.arraycopy(row, 0, kept, keptOffset + 2 * width, width);
        r2.apply(row);
        d3.apply(row);
        System.arraycopy(row, 0, kept, keptOffset + 3 * width, width);
    }

    /** Replaces the interleaved vector {@code row} with W row. */
    void apply(double[] row) {
        d1.apply(row);
        applyAfterFirstPhase(row);
    }

    /** Applies D3 R2 F^-1 D2 P R1 F to an interleaved vector that D1 has been applied to. */
    private void applyAfterFirstPhase(double[] row) {
        dft.forward(row, 0);
        r1.apply(row);
        permute(row);
        d2.apply(row);
        dft.inverse(row, 0);
        r2.apply(row);
        d3.apply(row);
    }

    /**
     * Backpropagates through y = W h for one vector: replaces g = dL/dRe y + i dL/dIm y
     * (interleaved) with dL/dh = W^H g, adds the phases' gradients to {@code gradient} at the
     * layout's offsets, and keeps the reflection vectors' gradients until {@link
     * #addReflectionGradients}. The chain's intermediate vectors are recomputed from h, given split
     * like {@link #applyToSplit}.
     */
    void backwardFromSplit(double[] split, int offset, double[] g, double[] gradient) {
        d1.applyToSplit(split, offset, firstPhaseOut);
        backwardAfterFirstPhase(g, gradient);
    }

    /** As {@link #backwardFromSplit}, with h given interleaved. */
    void backward(double[] input, double[] g, double[] gradient) {
        System.arraycopy(input, 0, firstPhaseOut, 0, input.length);
        d1.apply(firstPhaseOut);
        backwardAfterFirstPhase(g, gradient);
    }

    /**
     * As {@link #backwardFromSplit}, with the intermediate vectors taken from {@code kept} as
     * {@link #applyToSplitKeeping} left them, but D1 h, which costs O(n) to redo.
     */
    void backwardFromKept(
            double[] split,
            int offset,
            double[] kept,
            int keptOffset,
            double[] g,
            double[] gradient) {
        int width = firstPhaseOut.length;
        d1.applyToSplit(split, offset, firstPhaseOut);
        System.arraycopy(kept, keptOffset, firstReflectionIn, 0, width);
        System.arraycopy(kept, keptOffset + width, secondPhaseOut, 0, width);
        System.arraycopy(kept, keptOffset + 2 * width, secondReflectionIn, 0, width);
        System.arraycopy(kept, keptOffset + 3 * width, work, 0, width);
        backwardThroughFactors(g, gradient);
    }

    private void backwardAfterFirstPhase(double[] g, double[] gradient) {
        int width = firstPhaseOut.length;
        System.arraycopy(firstPhaseOut, 0, firstReflectionIn, 0, width);
        dft.forward(firstReflectionIn, 0);
        System.arraycopy(firstReflectionIn, 0, secondPhaseOut, 0, width);
        r1.apply(secondPhaseOut);
        permute(secondPhaseOut);
        d2.apply(secondPhaseOut);
        System.arraycopy(secondPhaseOut, 0, secondReflectionIn, 0, width);
        dft.inverse(secondReflectionIn, 0);
        System.arraycopy(secondReflectionIn, 0, work, 0, width);
        r2.apply(work);
        d3.apply(work);
        backwardThroughFactors(g, gradient);
    }

    private void backwardThroughFactors(double[] g, double[] gradient) {

        // W^H g = D1^H F^-1 R1 P^T D2^H F R2 D3^H g, with each factor's parameter gradient
        // taken on the way.
        PhaseDiagonal.accumulateGradient(work, g, gradient, layout.phase(3));
        d3.applyConjugate(g);
        r2.backward(secondReflectionIn, g, secondVectorGradient);
        dft.forward(g, 0);
        PhaseDiagonal.accumulateGradient(secondPhaseOut, g, gradient, layout.phase(2));
        d2.applyConjugate(g);
        permuteBack(g);
        r1.backward(firstReflectionIn, g, firstVectorGradient);
        dft.inverse(g, 0);
        PhaseDiagonal.accumulateGradient(firstPhaseOut, g, gradient, layout.phase(1));
        d1.applyConjugate(g);
    }

    /**
     * Adds the reflection vectors' gradients gathered by every backward call since the last one to
     * {@code gradient}, and starts gathering anew.
     */
    void addReflectionGradients(double[] gradient) {
        splitInto(firstVectorGradient, gradient, 1);
        splitInto(secondVectorGradient, gradient, 2);
        Arrays.fill(firstVectorGradient, 0);
        Arrays.fill(secondVectorGradient, 0);
    }

    private void splitInto(double[] interleaved, double[] gradient, int factor) {
        int real = layout.reflectionReal(factor);
        int imaginary = layout.reflectionImaginary(factor);
        for (int j = 0; j < layout.hiddenSize(); j++) {
            gradient[real + j] += interleaved[2 * j];
            gradient[imaginary + j] += interleaved[2 * j + 1];
        }
    }

    /** Replaces row with P row, (P x)_j = x_{permutation[j]}. */
    private void permute(double[] row) {
        for (int j = 0; j < permutation.length; j++) {
            scratch[2 * j] = row[2 * permutation[j]];
            scratch[2 * j + 1] = row[2 * permutation[j] + 1];
        }
        System.arraycopy(scratch, 0, row, 0, row.length);
    }

    /** Replaces row with P^T row, (P^T g)_{permutation[j]} = g_j. */
    private void permuteBack(double[] row) {
        for (int j = 0; j < permutation.length; j++) {
            scratch[2 * permutation[j]] = row[2 * j];
            scratch[2 * permutation[j] + 1] = row[2 * j + 1];
        }
        System.arraycopy(scratch, 0, row, 0, row.length);
    }
}
