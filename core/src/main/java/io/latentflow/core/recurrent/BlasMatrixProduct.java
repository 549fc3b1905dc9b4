package io.latentflow.core.recurrent;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Row-major float64 matrix products C = op(A) op(B) + beta C on Java arrays through OpenBLAS (the
 * library ND4J loads), for the uRNN's projections over all T * B rows. The operands are copied to
 * scratch memory outside the heap and the result back; for these shapes the copies cost less than
 * the product itself does in a plain Java loop (at hidden 128, 9 outputs and 2,000 rows the output
 * projection's loop took about a quarter of a BPTT step).
 *
 * <p>Instances keep their scratch memory, grown to the largest product seen, and are not
 * thread-safe.
 */
final class BlasMatrixProduct {
    private DoublePointer left = new DoublePointer(0L);
    private DoublePointer right = new DoublePointer(0L);
    private DoublePointer result = new DoublePointer(0L);

    /**
     * Computes C = op(A) op(B) + beta C, with op(A) rows x inner and op(B) inner x columns, each
     * matrix stored densely row-major from its offset.
     *
     * @param transposeA whether op(A) = A^T, A then stored inner x rows
     * @param transposeB whether op(B) = B^T, B then stored columns x inner
     */
    void multiply(
            boolean transposeA,
            boolean transposeB,
            int rows,
            int columns,
            int inner,
            double[] a,
            int aOffset,
            double[] b,
            int bOffset,
            double beta,
            double[] c,
            int cOffset) {
        int aSize = rows * inner;
        int bSize = inner * columns;
        int cSize = rows * columns;
        left = atLeast(left, aSize);
        right = atLeast(right, bSize);
        result = atLeast(result, cSize);
        left.put(a, aOffset, aSize);
        right.put(b, bOffset, bSize);
        if (beta != 0) {
            result.put(c, cOffset, cSize);
        }
        openblas_nolapack.cblas_dgemm(
                openblas_nolapack.CblasRowMajor,
                transposeA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transposeB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                rows,
                columns,
                inner,
                1,
                left,
                transposeA ? rows : inner,
                right,
                transposeB ? inner : columns,
                beta,
                result,
                columns);
        result.get(c, cOffset, cSize);
    }

    private static DoublePointer atLeast(DoublePointer pointer, long size) {
        if (pointer.capacity() >= size) {
            return pointer;
        }
        pointer.close();
        return new DoublePointer(Math.max(size, 2 * pointer.capacity()));
    }
}
