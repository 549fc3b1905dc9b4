package io.latentflow.core.recurrent;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The dense design of the unitary evolution RNN's forward and backward pass (Arjovsky, Shah and
 * Bengio, <a href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>): W is built once per
 * mini-batch by applying the factor chain to the n basis vectors and held as the real 2n x 2n
 * matrix M = [[Re W, -Im W], [Im W, Re W]] acting on [Re h; Im h], so that each time step is one
 * matrix product over the whole batch, z_t = h_{t-1} M^T + V x_t per row.
 *
 * <p>Every product goes to OpenBLAS (the library ND4J loads) through JavaCPP, called directly on
 * memory outside the Java heap, because an ND4J operation costs 15 to 20 microseconds of overhead
 * against about 70 for the whole step's product at n = 128. The input projection V x_t and the
 * output projection U h_t + c are one product over all T * B rows each; so are, on the way back,
 * dL/dh_t from the outputs, dL/dU, dL/dV and dL/dM = sum_t dL/dz_t^T h_{t-1}. Only dL/dh_{t-1} =
 * dL/dz_t M is a product per step. dL/dM is then pushed back through the factor chain once per
 * mini-batch: with W's column j equal to the chain applied to e_j, the chain's backward pass at e_j
 * with dL/dW's column j as output gradient gives that column's share of the phases' and reflection
 * vectors' gradients.
 *
 * <p>Costs per mini-batch: 2 T products of B x 2n by 2n x 2n, one of 2n x TB by TB x 2n, and 2n
 * chain passes; O(T B n^2) against the factor loops' O(T B n log n), which pay instead for two FFT
 * pairs and some 35 element-wise passes per row and step, so that this design is the faster one
 * only for small n (see {@link RecurrenceDesign#DENSE_UP_TO_HIDDEN_SIZE}). Buffers outside the heap
 * grow to the largest batch seen and are kept between passes: (3 T B + 2 B) 2n doubles for states,
 * pre-activations and their gradients, plus the inputs, outputs and two 2n x 2n matrices; each pass
 * also holds z_t, h_t and dL/dz_t of every row in Java arrays, 3 T B 2n doubles.
 *
 * <p>Instances are not thread-safe.
 */
final class DenseRecurrence {
    private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
    private static final int NO_TRANSPOSE = openblas_nolapack.CblasNoTrans;
    private static final int TRANSPOSE = openblas_nolapack.CblasTrans;

    private final UnitaryEvolutionRnnLayout layout;
    private final int width;

    private int capacityRows = -1;
    private int capacityStateRows = -1;
    private int capacityBatch = -1;
    private DoublePointer inputs;
    private DoublePointer states;
    private DoublePointer preActivations;
    private DoublePointer stateGradients;
    private DoublePointer outputs;
    private DoublePointer outputGradients;
    private DoublePointer stepProduct;
    private double[] stepValues;

    /** What the last forward pass keeps for the backward pass, in Java arrays. */
    private double[] preActivationValues;

    private final DoublePointer matrix;
    private final DoublePointer matrixGradient;
    private final DoublePointer inputWeights;
    private final DoublePointer inputWeightGradient;
    private final DoublePointer outputWeights;
    private final DoublePointer outputWeightGradient;

    DenseRecurrence(UnitaryEvolutionRnnLayout layout) {
        this.layout = layout;
        this.width = 2 * layout.hiddenSize();
        matrix = new DoublePointer((long) width * width);
        matrixGradient = new DoublePointer((long) width * width);
        inputWeights = new DoublePointer((long) width * layout.inputSize());
        inputWeightGradient = new DoublePointer((long) width * layout.inputSize());
        outputWeights = new DoublePointer((long) layout.outputSize() * width);
        outputWeightGradient = new DoublePointer((long) layout.outputSize() * width);
    }

    /**
     * Runs the recurrence over a batch and returns y_t for every row, time-major; keeps the states
     * and pre-activations for {@link #backward}.
     */
    double[] forward(double[] parameters, UnitaryFactorChain chain, SequenceBatch batch) {
        int n = layout.hiddenSize();
        int m = layout.inputSize();
        int k = layout.outputSize();
        int batchSize = batch.batchSize();
        int rows = batch.rows();
        ensureCapacity(rows, batchSize);
        buildMatrix(chain);

        // z_t = V x_t for every row, V = [Re V; Im V] (2n x m) as laid out in the parameters.
        inputs.position(0).put(batch.inputs(), 0, rows * m);
        inputWeights.position(0).put(parameters, layout.inputReal(), width * m);
        product(
                NO_TRANSPOSE,
                TRANSPOSE,
                rows,
                width,
                m,
                inputs,
                0,
                inputWeights,
                0,
                0,
                preActivations,
                0);

        double[] z = new double[rows * width];
        preActivations.position(0).get(z, 0, z.length);
        double[] h = new double[rows * width];

        // The products read the states outside the heap: block 0 holds h0 for every example,
        // block t + 1 holds h_t. The element-wise work runs on Java arrays, which loops reach
        // several times faster than buffers outside the heap.
        for (int b = 0; b < batchSize; b++) {
            states.position((long) b * width).put(parameters, layout.initialState(), width);
        }
        states.position(0);
        int bias = layout.modReluBias();
        int block = batchSize * width;
        for (int t = 0; t < batch.timeSteps(); t++) {
            // z_t = h_{t-1} M^T + V x_t, h_t = modReLU(z_t)
            stepProduct(states, (long) t * block, batchSize, TRANSPOSE);
            int start = t * block;
            for (int q = 0; q < block; q++) {
                z[start + q] += stepValues[q];
            }
            for (int b = 0; b < batchSize; b++) {
                ModRelu.forward(z, start + b * width, parameters, bias, h, n);
            }
            states.position((long) start + block).put(h, start, block);
            states.position(0);
        }
        preActivationValues = z;

        // y = U h + c for every row.
        outputWeights.position(0).put(parameters, layout.outputWeights(), k * width);
        product(
                NO_TRANSPOSE,
                TRANSPOSE,
                rows,
                k,
                width,
                states,
                block,
                outputWeights,
                0,
                0,
                outputs,
                0);
        double[] result = new double[rows * k];
        outputs.position(0).get(result, 0, rows * k);
        int outputBias = layout.outputBias();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < k; o++) {
                result[r * k + o] += parameters[outputBias + o];
            }
        }
        return result;
    }

    /** Writes W's columns through the factor chain into M = [[Re W, -Im W], [Im W, Re W]]. */
    private void buildMatrix(UnitaryFactorChain chain) {
        int n = layout.hiddenSize();
        double[] column = new double[width];
        double[] dense = new double[width * width];
        for (int j = 0; j < n; j++) {
            Arrays.fill(column, 0);
            column[2 * j] = 1;
            chain.apply(column);
            for (int i = 0; i < n; i++) {
                double re = column[2 * i];
                double im = column[2 * i + 1];
                dense[i * width + j] = re;
                dense[(n + i) * width + n + j] = re;
                dense[(n + i) * width + j] = im;
                dense[i * width + n + j] = -im;
            }
        }
        matrix.position(0).put(dense, 0, dense.length);
    }

    /**
     * Backpropagates the output gradient of the last {@link #forward} through time and adds every
     * parameter's gradient to {@code gradient}; writes the mean |dL/dh_t| of every step to {@code
     * stateGradientNorms} unless it is null.
     */
    void backward(
            double[] parameters,
            UnitaryFactorChain chain,
            SequenceBatch batch,
            double[] outputGradient,
            double[] gradient,
            double[] stateGradientNorms) {
        int n = layout.hiddenSize();
        int m = layout.inputSize();
        int k = layout.outputSize();
        int batchSize = batch.batchSize();
        int rows = batch.rows();
        int block = batchSize * width;

        // dL/dh_t = dL/dy_t U, dL/dU = sum over rows of dL/dy^T h, dL/dc = sum of dL/dy.
        outputGradients.position(0).put(outputGradient, 0, rows * k);
        outputGradients.position(0);
        product(
                NO_TRANSPOSE,
                NO_TRANSPOSE,
                rows,
                width,
                k,
                outputGradients,
                0,
                outputWeights,
                0,
                0,
                stateGradients,
                block);
        double[] g = new double[rows * width];
        stateGradients.position(block).get(g, 0, g.length);
        stateGradients.position(0);
        product(
                TRANSPOSE,
                NO_TRANSPOSE,
                k,
                width,
                rows,
                outputGradients,
                0,
                states,
                block,
                0,
                outputWeightGradient,
                0);
        addTo(outputWeightGradient, k * width, gradient, layout.outputWeights());
        int outputBias = layout.outputBias();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < k; o++) {
                gradient[outputBias + o] += outputGradient[r * k + o];
            }
        }

        // Backwards in time: dL/dz_t by modReLU in place, then dL/dh_{t-1} += dL/dz_t M. The
        // products read dL/dz_t outside the heap at block t + 1.
        int bias = layout.modReluBias();
        int initial = layout.initialState();
        for (int t = batch.timeSteps() - 1; t >= 0; t--) {
            int start = t * block;
            if (stateGradientNorms != null) {
                stateGradientNorms[t] = meanNorm(g, start, batchSize);
            }
            for (int b = 0; b < batchSize; b++) {
                ModRelu.backward(
                        preActivationValues, start + b * width, parameters, bias, g, gradient, n);
            }
            stateGradients.position((long) start + block).put(g, start, block);
            stateGradients.position(0);
            stepProduct(stateGradients, (long) start + block, batchSize, NO_TRANSPOSE);
            for (int q = 0; q < block; q++) {
                if (t > 0) {
                    g[start - block + q] += stepValues[q];
                } else {
                    gradient[initial + q % width] += stepValues[q];
                }
            }
        }

        // dL/dV = sum over rows of dL/dz x^T, dL/dM = sum over rows of dL/dz_t h_{t-1}^T.
        product(
                TRANSPOSE,
                NO_TRANSPOSE,
                width,
                m,
                rows,
                stateGradients,
                block,
                inputs,
                0,
                0,
                inputWeightGradient,
                0);
        addTo(inputWeightGradient, width * m, gradient, layout.inputReal());
        product(
                TRANSPOSE,
                NO_TRANSPOSE,
                width,
                width,
                rows,
                stateGradients,
                block,
                states,
                0,
                0,
                matrixGradient,
                0);
        pushBackThroughChain(chain, gradient);
    }

    /**
     * With G = dL/dM: dL/dRe W_ij = G_ij + G_{n+i, n+j} and dL/dIm W_ij = G_{n+i, j} - G_{i, n+j};
     * column j of that is the output gradient of the chain applied to e_j.
     */
    private void pushBackThroughChain(UnitaryFactorChain chain, double[] gradient) {
        int n = layout.hiddenSize();
        double[] g = new double[width * width];
        matrixGradient.position(0).get(g, 0, g.length);
        double[] basis = new double[width];
        double[] column = new double[width];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                column[2 * i] = g[i * width + j] + g[(n + i) * width + n + j];
                column[2 * i + 1] = g[(n + i) * width + j] - g[i * width + n + j];
            }
            basis[2 * j] = 1;
            chain.backward(basis, column, gradient);
            basis[2 * j] = 0;
        }
        chain.addReflectionGradients(gradient);
    }

    /** Writes rows x M^T (TRANSPOSE) or rows x M (NO_TRANSPOSE) into stepValues. */
    private void stepProduct(DoublePointer source, long offset, int rows, int transposeMatrix) {
        product(
                NO_TRANSPOSE,
                transposeMatrix,
                rows,
                width,
                width,
                source,
                offset,
                matrix,
                0,
                0,
                stepProduct,
                0);
        stepProduct.position(0).get(stepValues, 0, rows * width);
    }

    private double meanNorm(double[] values, int offset, int rows) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int q = offset + r * width; q < offset + (r + 1) * width; q++) {
                double value = values[q];
                sum += value * value;
            }
            total += Math.sqrt(sum);
        }
        return total / rows;
    }

    private static void addTo(DoublePointer source, int count, double[] target, int offset) {
        double[] values = new double[count];
        source.position(0).get(values, 0, count);
        for (int i = 0; i < count; i++) {
            target[offset + i] += values[i];
        }
    }

    /**
     * C = op(A) op(B) + beta C, row-major, with A, B and C starting at the given offsets from
     * buffers whose position is 0.
     */
    private void product(
            int transposeA,
            int transposeB,
            int rowsOfC,
            int columnsOfC,
            int inner,
            DoublePointer a,
            long aOffset,
            DoublePointer b,
            long bOffset,
            double beta,
            DoublePointer c,
            long cOffset) {
        int lda = transposeA == NO_TRANSPOSE ? inner : rowsOfC;
        int ldb = transposeB == NO_TRANSPOSE ? columnsOfC : inner;
        openblas_nolapack.cblas_dgemm(
                ROW_MAJOR,
                transposeA,
                transposeB,
                rowsOfC,
                columnsOfC,
                inner,
                1,
                a.getPointer(aOffset),
                lda,
                b.getPointer(bOffset),
                ldb,
                beta,
                c.getPointer(cOffset),
                columnsOfC);
    }

    private void ensureCapacity(int rows, int batchSize) {
        if (rows <= capacityRows
                && rows + batchSize <= capacityStateRows
                && batchSize <= capacityBatch) {
            return;
        }
        closeBatchBuffers();
        rows = Math.max(rows, capacityRows);
        batchSize = Math.max(batchSize, capacityBatch);
        long stateRows = Math.max((long) rows + batchSize, capacityStateRows);
        inputs = new DoublePointer((long) rows * layout.inputSize());
        states = new DoublePointer(stateRows * width);
        preActivations = new DoublePointer((long) rows * width);
        stateGradients = new DoublePointer(stateRows * width);
        outputs = new DoublePointer((long) rows * layout.outputSize());
        outputGradients = new DoublePointer((long) rows * layout.outputSize());
        stepProduct = new DoublePointer((long) batchSize * width);
        stepValues = new double[batchSize * width];
        capacityRows = rows;
        capacityStateRows = (int) stateRows;
        capacityBatch = batchSize;
    }

    private void closeBatchBuffers() {
        for (DoublePointer buffer :
                new DoublePointer[] {
                    inputs,
                    states,
                    preActivations,
                    stateGradients,
                    outputs,
                    outputGradients,
                    stepProduct
                }) {
            if (buffer != null) {
                buffer.close();
            }
        }
    }
}
