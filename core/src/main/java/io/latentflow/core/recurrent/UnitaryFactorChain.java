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
 * <p>The factors are applied in five fused loops forward and six backward rather than one pass per
 * factor: the DFT's 1 / sqrt(n) is folded into the loop before each transform, copies into the kept
 * vectors and each reflection's dot products share a loop, and a reflection's update shares one
 * with the factors that follow it. Each fused loop says which factors it applies.
 *
 * <p>Instances hold scratch vectors and are not thread-safe.
 */
final class UnitaryFactorChain {
    /**
     * Returns how many doubles {@link #applyToSplitKeeping} keeps per application at hidden size n:
     * two interleaved vectors of 2n and the two reflections' dot products v^H x, complex.
     */
    static int keptSize(int n) {
        return 4 * n + 4;
    }

    private final UnitaryEvolutionRnnLayout layout;
    private final int size;
    private final int[] permutation;
    private final int[] inversePermutation;
    private final UnitaryDft dft;
    private final double dftScale;
    private final HouseholderReflection r1;
    private final HouseholderReflection r2;
    private final double[] cos1;
    private final double[] sin1;
    private final double[] scaledCos1;
    private final double[] scaledSin1;
    private final double[] cos2;
    private final double[] sin2;
    private final double[] cos3;
    private final double[] sin3;
    private final double[] v1;
    private final double[] v2;
    private final double[] scratch;
    private final double[] ownRow;
    private final double[] ownKept;
    private final double[] splitInput;
    private final double[] splitGradient;
    private final double[] firstVectorGradient;
    private final double[] secondVectorGradient;

    UnitaryFactorChain(
            double[] parameters,
            UnitaryEvolutionRnnLayout layout,
            int[] permutation,
            UnitaryDft dft) {
        this.layout = layout;
        this.permutation = permutation;
        inversePermutation = new int[permutation.length];
        for (int j = 0; j < permutation.length; j++) {
            inversePermutation[permutation[j]] = j;
        }
        this.dft = dft;
        int n = layout.hiddenSize();
        size = n;
        dftScale = dft.scale();
        PhaseDiagonal d1 = new PhaseDiagonal(parameters, layout.phase(1), n);
        PhaseDiagonal d2 = new PhaseDiagonal(parameters, layout.phase(2), n);
        PhaseDiagonal d3 = new PhaseDiagonal(parameters, layout.phase(3), n);
        r1 =
                new HouseholderReflection(
                        parameters, layout.reflectionReal(1), layout.reflectionImaginary(1), n);
        r2 =
                new HouseholderReflection(
                        parameters, layout.reflectionReal(2), layout.reflectionImaginary(2), n);
        cos1 = d1.cosines();
        sin1 = d1.sines();
        scaledCos1 = new double[n];
        scaledSin1 = new double[n];
        for (int j = 0; j < n; j++) {
            scaledCos1[j] = dftScale * cos1[j];
            scaledSin1[j] = dftScale * sin1[j];
        }
        cos2 = d2.cosines();
        sin2 = d2.sines();
        cos3 = d3.cosines();
        sin3 = d3.sines();
        v1 = r1.vector();
        v2 = r2.vector();
        scratch = new double[2 * n];
        ownRow = new double[2 * n];
        ownKept = new double[keptSize(n)];
        splitInput = new double[2 * n];
        splitGradient = new double[2 * n];
        firstVectorGradient = new double[2 * n];
        secondVectorGradient = new double[2 * n];
    }

    /**
     * Writes W h into the interleaved {@code row}, with h split: real parts at {@code split[offset
     * + j]}, imaginary parts at {@code split[offset + n + j]}.
     */
    void applyToSplit(double[] split, int offset, double[] row) {
        applyToSplitKeeping(split, offset, row, ownKept, 0);
    }

    /** Replaces the interleaved vector {@code row} with W row. */
    void apply(double[] row) {
        interleavedToSplit(row, splitInput);
        applyToSplitKeeping(splitInput, 0, row, ownKept, 0);
    }

    /**
     * As {@link #applyToSplit}, and writes the intermediate vectors the backward pass needs, x1 = F
     * D1 h and x3 = F^-1 D2 P R1 x1, to {@code kept[keptOffset..]}, 2n values each, and after them
     * R1's and R2's dot products v1^H x1 and v2^H x3 (real and imaginary parts), {@link #keptSize}
     * values in all, so that {@link #backwardFromKept} need not apply the chain again. The phase
     * gradients of D2 and D3 need only R1 x1 and R2 x3, which cost O(n) to redo from those.
     */
    void applyToSplitKeeping(
            double[] split, int offset, double[] row, double[] kept, int keptOffset) {
        int n = size;
        int width = 2 * n;
        int x1 = keptOffset;
        int x3 = x1 + width;
        int dots = x3 + width;

        // Fused: D1 and F's 1 / sqrt(n), from split h into row.
        for (int j = 0; j < n; j++) {
            double re = split[offset + j];
            double im = split[offset + n + j];
            row[2 * j] = scaledCos1[j] * re - scaledSin1[j] * im;
            row[2 * j + 1] = scaledSin1[j] * re + scaledCos1[j] * im;
        }
        dft.forwardUnscaled(row, 0);

        // Fused: keeps x1 = F D1 h, and R1's dot product v1^H x1.
        double aRe = 0;
        double aIm = 0;
        for (int i = 0; i < width; i += 2) {
            double re = row[i];
            double im = row[i + 1];
            kept[x1 + i] = re;
            kept[x1 + i + 1] = im;
            aRe += v1[i] * re + v1[i + 1] * im;
            aIm += v1[i] * im - v1[i + 1] * re;
        }

        kept[dots] = aRe;
        kept[dots + 1] = aIm;

        // Fused: R1's update, P (a gather from row), D2, and F^-1's 1 / sqrt(n), into scratch.
        // R1 x = x - s v with s = 2 (v^H x) / |v|^2.
        double factor = 2 / r1.squaredNorm();
        double sRe = factor * aRe;
        double sIm = factor * aIm;
        for (int j = 0; j < n; j++) {
            int p = 2 * permutation[j];
            double re = row[p] - (sRe * v1[p] - sIm * v1[p + 1]);
            double im = row[p + 1] - (sRe * v1[p + 1] + sIm * v1[p]);
            double outRe = cos2[j] * re - sin2[j] * im;
            double outIm = sin2[j] * re + cos2[j] * im;
            scratch[2 * j] = dftScale * outRe;
            scratch[2 * j + 1] = dftScale * outIm;
        }
        dft.inverseUnscaled(scratch, 0);

        // Fused: keeps x3 = F^-1 D2 P R1 x1, and R2's dot product v2^H x3.
        aRe = 0;
        aIm = 0;
        for (int i = 0; i < width; i += 2) {
            double re = scratch[i];
            double im = scratch[i + 1];
            kept[x3 + i] = re;
            kept[x3 + i + 1] = im;
            aRe += v2[i] * re + v2[i + 1] * im;
            aIm += v2[i] * im - v2[i + 1] * re;
        }

        kept[dots + 2] = aRe;
        kept[dots + 3] = aIm;

        // Fused: R2's update and D3, into row.
        factor = 2 / r2.squaredNorm();
        sRe = factor * aRe;
        sIm = factor * aIm;
        for (int i = 0; i < width; i += 2) {
            int j = i / 2;
            double re = scratch[i] - (sRe * v2[i] - sIm * v2[i + 1]);
            double im = scratch[i + 1] - (sRe * v2[i + 1] + sIm * v2[i]);
            row[i] = cos3[j] * re - sin3[j] * im;
            row[i + 1] = sin3[j] * re + cos3[j] * im;
        }
    }

    /**
     * Backpropagates through y = W h for one vector, given g = dL/dRe y + i dL/dIm y (interleaved):
     * adds dL/dh = W^H g to {@code target}, split at {@code targetOffset} like h, adds the phases'
     * gradients to {@code gradient} at the layout's offsets, and keeps the reflection vectors'
     * gradients until {@link #addReflectionGradients}. The chain's intermediate vectors are
     * recomputed from h, given split like {@link #applyToSplit}. Overwrites g.
     */
    void backwardFromSplit(
            double[] split,
            int offset,
            double[] g,
            double[] gradient,
            double[] target,
            int targetOffset) {
        applyToSplitKeeping(split, offset, ownRow, ownKept, 0);
        backwardFromKept(split, offset, ownKept, 0, g, gradient, target, targetOffset);
    }

    /**
     * Replaces g = dL/dRe y + i dL/dIm y at y = W h (interleaved) with dL/dh = W^H g, with h given
     * interleaved in {@code input}; otherwise as {@link #backwardFromSplit}.
     */
    void backward(double[] input, double[] g, double[] gradient) {
        interleavedToSplit(input, splitInput);
        Arrays.fill(splitGradient, 0);
        backwardFromSplit(splitInput, 0, g, gradient, splitGradient, 0);
        for (int j = 0; j < size; j++) {
            g[2 * j] = splitGradient[j];
            g[2 * j + 1] = splitGradient[size + j];
        }
    }

    /**
     * As {@link #backwardFromSplit}, with the intermediate vectors taken from {@code kept} as
     * {@link #applyToSplitKeeping} left them.
     */
    void backwardFromKept(
            double[] split,
            int offset,
            double[] kept,
            int keptOffset,
            double[] g,
            double[] gradient,
            double[] target,
            int targetOffset) {
        // W^H g = D1^H F^-1 R1 P^T D2^H F R2 D3^H g, with each factor's parameter gradient
        // taken on the way. With y = D x, dL/dw_j = g_im y_re - g_re y_im (PhaseDiagonal).
        int n = size;
        int width = 2 * n;
        int x1 = keptOffset;
        int x3 = x1 + width;
        int dots = x3 + width;

        // Fused: u = D3^H g, D3's phase gradient, and R2's dot product v2^H u (v2^H x3 is kept).
        // With r = R2 x3 redone from x3 and y = D3 r, conj(y_j) g_j = conj(r_j) u_j, so dL/dw_j =
        // Im(conj(r_j) u_j).
        int phase = layout.phase(3);
        double aRe = kept[dots + 2];
        double aIm = kept[dots + 3];
        double factor = 2 / r2.squaredNorm();
        double sRe = factor * aRe;
        double sIm = factor * aIm;
        double cRe = 0;
        double cIm = 0;
        for (int i = 0; i < width; i += 2) {
            int j = i / 2;
            double rRe = kept[x3 + i] - (sRe * v2[i] - sIm * v2[i + 1]);
            double rIm = kept[x3 + i + 1] - (sRe * v2[i + 1] + sIm * v2[i]);
            double gRe = g[i];
            double gIm = g[i + 1];
            double re = cos3[j] * gRe + sin3[j] * gIm;
            double im = -sin3[j] * gRe + cos3[j] * gIm;
            gradient[phase + j] += im * rRe - re * rIm;
            g[i] = re;
            g[i + 1] = im;
            cRe += v2[i] * re + v2[i + 1] * im;
            cIm += v2[i] * im - v2[i + 1] * re;
        }
        // Fused: R2's vector gradient, g = R2 g, and F's 1 / sqrt(n).
        r2.finishBackward(aRe, aIm, cRe, cIm, kept, x3, g, secondVectorGradient, dftScale);
        dft.forwardUnscaled(g, 0);

        // Fused: D2^H, P^T (a scatter from g into scratch), and R1's dot product v1^H (P^T D2^H
        // g) (v1^H x1 is kept; reading x1 here, in P's order, would defeat the prefetcher).
        aRe = kept[dots];
        aIm = kept[dots + 1];
        cRe = 0;
        cIm = 0;
        for (int j = 0; j < n; j++) {
            double gRe = g[2 * j];
            double gIm = g[2 * j + 1];
            double re = cos2[j] * gRe + sin2[j] * gIm;
            double im = -sin2[j] * gRe + cos2[j] * gIm;
            int p = 2 * permutation[j];
            scratch[p] = re;
            scratch[p + 1] = im;
            cRe += v1[p] * re + v1[p + 1] * im;
            cIm += v1[p] * im - v1[p + 1] * re;
        }
        // D2's phase gradient, in x1's order. With r = R1 x1 redone from x1 and v1^H x1, D2's
        // output x2_j = D2_j r_p at p = permutation[j], and u = P^T D2^H g, conj(x2_j) g_j =
        // conj(r_p) u_p, so dL/dw_j = Im(conj(r_p) u_p).
        phase = layout.phase(2);
        factor = 2 / r1.squaredNorm();
        sRe = factor * aRe;
        sIm = factor * aIm;
        for (int i = 0; i < width; i += 2) {
            double rRe = kept[x1 + i] - (sRe * v1[i] - sIm * v1[i + 1]);
            double rIm = kept[x1 + i + 1] - (sRe * v1[i + 1] + sIm * v1[i]);
            gradient[phase + inversePermutation[i / 2]] += scratch[i + 1] * rRe - scratch[i] * rIm;
        }
        // Fused: R1's vector gradient, scratch = R1 scratch, and F^-1's 1 / sqrt(n).
        r1.finishBackward(aRe, aIm, cRe, cIm, kept, x1, scratch, firstVectorGradient, dftScale);
        dft.inverseUnscaled(scratch, 0);

        // Fused: u = D1^H g added to target, and D1's phase gradient, which needs no D1 h: with
        // y = D1 h, conj(y_j) g_j = conj(h_j) u_j, so dL/dw_j = Im(conj(y_j) g_j) = Im(conj(h_j)
        // u_j).
        phase = layout.phase(1);
        for (int j = 0; j < n; j++) {
            double gRe = scratch[2 * j];
            double gIm = scratch[2 * j + 1];
            double uRe = cos1[j] * gRe + sin1[j] * gIm;
            double uIm = -sin1[j] * gRe + cos1[j] * gIm;
            double hRe = split[offset + j];
            double hIm = split[offset + n + j];
            gradient[phase + j] += uIm * hRe - uRe * hIm;
            target[targetOffset + j] += uRe;
            target[targetOffset + n + j] += uIm;
        }
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

    private void interleavedToSplit(double[] interleaved, double[] split) {
        for (int j = 0; j < size; j++) {
            split[j] = interleaved[2 * j];
            split[size + j] = interleaved[2 * j + 1];
        }
    }
}
