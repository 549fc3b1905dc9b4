package io.latentflow.core.recurrent;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The long short-term memory network (Hochreiter and Schmidhuber, 1997, with the forget gate of
 * Gers, Schmidhuber and Cummins, 2000), the baseline that Arjovsky, Shah and Bengio (<a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>) compare the unitary evolution RNN
 * with, in float64 with backpropagation through time. With hidden and cell states h and c of n
 * units, a real input x of m features and a real output y of k:
 *
 * <p>z_t = W_x x_t + W_h h_{t-1} + b, split into four blocks of n: i_t = sigmoid(z_i), f_t =
 * sigmoid(z_f), g_t = tanh(z_g), o_t = sigmoid(z_o); c_t = f_t * c_{t-1} + i_t * g_t, h_t = o_t *
 * tanh(c_t), y_t = U h_t + c (a linear output); h_0 = c_0 = 0.
 *
 * <p>All parameters live in one flat vector laid out by {@link LongShortTermMemoryLayout}, which an
 * optimizer updates in place. Initialization: W_x, W_h and U Glorot-uniform (each gate's block of
 * W_x with fan-in m and fan-out n, of W_h with n and n), the biases 0 except the forget gate's,
 * which start at {@link #FORGET_BIAS} so that the cell keeps its content until the network learns
 * to forget (Jozefowicz, Zaremba and Sutskever, 2015).
 *
 * <p>For speed the one O(n^2) product per step, W_h h_{t-1} for the whole mini-batch, and its two
 * counterparts on the way back (dL/dh_{t-1} = W_h^T dL/dz_t and dL/dW_h += dL/dz_t h_{t-1}^T) are
 * single ND4J matrix products into buffers allocated once per pass, while the gate arithmetic runs
 * as loops over primitive arrays: an ND4J operation costs 15 to 20 microseconds whatever its size,
 * and the elementwise work of a step would take several of them. The input projection W_x x_t skips
 * zero inputs (one-hot and single-pixel inputs are common), and tanh is computed from Math.exp,
 * which the JIT compiles to an intrinsic. Training keeps the gates, cells and states of every step
 * (memory linear in T); {@link #outputs} keeps only the current step's, so that long sequences can
 * be evaluated in large batches.
 *
 * <p>Instances are not thread-safe.
 */
public final class LongShortTermMemory implements RecurrentNetwork {
    /** The forget gate's initial bias. */
    public static final double FORGET_BIAS = 1.0;

    private final LongShortTermMemoryLayout layout;
    private final double[] parameters;

    /**
     * Creates a network, every random draw taken from streams split off {@code new
     * SplittableRandom(seed)} in a fixed order: W_x, W_h, U.
     *
     * @param inputSize m, features per input step
     * @param hiddenSize n, hidden and cell units
     * @param outputSize k, outputs per step
     * @param seed seeds the initialization
     */
    public LongShortTermMemory(int inputSize, int hiddenSize, int outputSize, long seed) {
        this.layout = new LongShortTermMemoryLayout(inputSize, hiddenSize, outputSize);
        this.parameters = new double[layout.size()];

        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom input = root.split();
        SplittableRandom recurrent = root.split();
        SplittableRandom output = root.split();

        int n = hiddenSize;
        fillUniform(input, layout.inputWeights(), 4 * n * inputSize, glorot(inputSize, n));
        fillUniform(recurrent, layout.recurrentWeights(), 4 * n * n, glorot(n, n));
        Arrays.fill(parameters, layout.forgetBias(), layout.forgetBias() + n, FORGET_BIAS);
        fillUniform(output, layout.outputWeights(), outputSize * n, glorot(n, outputSize));
    }

    /** A network with the given parameters, copied: the frozen point of a {@link #curvature}. */
    private LongShortTermMemory(LongShortTermMemoryLayout layout, double[] parameters) {
        this.layout = layout;
        this.parameters = parameters.clone();
    }

    /**
     * Returns the hidden size whose parameter count, 4n (m + n + 1) + k (n + 1), is nearest to a
     * target, such as another model's, for comparisons at equal parameter counts.
     */
    public static int hiddenSizeForParameterCount(int inputSize, int outputSize, long target) {
        int best = 1;
        long bestDistance = Long.MAX_VALUE;
        for (int n = 1; n <= 1 << 14; n++) {
            long count = new LongShortTermMemoryLayout(inputSize, n, outputSize).size();
            long distance = Math.abs(count - target);
            if (distance < bestDistance) {
                best = n;
                bestDistance = distance;
            }
            if (count > target) {
                break;
            }
        }
        return best;
    }

    private static double glorot(int fanIn, int fanOut) {
        return Math.sqrt(6.0 / (fanIn + fanOut));
    }

    private void fillUniform(SplittableRandom random, int offset, int count, double limit) {
        for (int i = offset; i < offset + count; i++) {
            parameters[i] = random.nextDouble(-limit, limit);
        }
    }

    /** Returns where each parameter lives in {@link #parameters()}. */
    public LongShortTermMemoryLayout layout() {
        return layout;
    }

    @Override
    public double[] parameters() {
        return parameters;
    }

    @Override
    public String parameterHash() {
        return ParameterHash.sha256(parameters);
    }

    /** Returns NaN: the LSTM's recurrent matrix is not constrained to be unitary. */
    @Override
    public double unitarityDeviation() {
        return Double.NaN;
    }

    @Override
    public String modelName() {
        return "lstm";
    }

    @Override
    public double[] outputs(SequenceBatch batch) {
        return forward(batch, false).outputs;
    }

    /** Returns the loss of the network's outputs on a batch, without gradients. */
    public double loss(SequenceBatch batch, SequenceLoss loss) {
        double[] outputs = outputs(batch);
        return loss.evaluate(
                outputs,
                batch.timeSteps(),
                batch.batchSize(),
                layout.outputSize(),
                new double[outputs.length]);
    }

    @Override
    public double lossAndGradient(
            SequenceBatch batch,
            SequenceLoss loss,
            double[] gradient,
            double[] stateGradientNorms) {
        if (stateGradientNorms != null && stateGradientNorms.length != batch.timeSteps()) {
            throw new IllegalArgumentException(
                    "stateGradientNorms must have T = "
                            + batch.timeSteps()
                            + " entries, not "
                            + stateGradientNorms.length);
        }
        if (gradient.length != parameters.length) {
            throw new IllegalArgumentException(
                    "gradient must have " + parameters.length + " entries, not " + gradient.length);
        }
        ForwardPass pass = forward(batch, true);
        double[] outputGradient = new double[pass.outputs.length];
        double value =
                loss.evaluate(
                        pass.outputs,
                        batch.timeSteps(),
                        batch.batchSize(),
                        layout.outputSize(),
                        outputGradient);
        Arrays.fill(gradient, 0);
        backward(batch, pass, outputGradient, gradient, stateGradientNorms, null);
        return value;
    }

    /**
     * Returns exact products with the Hessian and the Gauss-Newton matrix of the loss on this batch
     * at the current parameters, by {@link LongShortTermMemoryCurvature}: the R-operator forward
     * through the gates and cells and back through time. The parameters are copied, so the products
     * stay those of this point when an optimizer moves them.
     */
    @Override
    public RecurrentCurvature curvature(SequenceBatch batch, SequenceLoss loss) {
        return new LongShortTermMemoryCurvature(
                new LongShortTermMemory(layout, parameters), batch, loss);
    }

    /**
     * What a forward pass keeps: the activated gates [i, f, g, o], the cells c_t, tanh(c_t) and the
     * states h_t of every row when training, of the last step only otherwise; and y_t of every row.
     */
    record ForwardPass(
            double[] gates, double[] cells, double[] cellTanh, double[] states, double[] outputs) {}

    /**
     * What a backward pass may keep for the curvature products, time-major like the forward pass:
     * dL/dh_t (B n per step, from the output and from step t + 1), dL/dc_t (B n, the total that
     * reaches c_t) and dL/dz_t (B 4n).
     */
    record BackwardTrace(double[] stateGradients, double[] cellGradients, double[] gateGradients) {}

    /**
     * The ND4J buffers of the per-step matrix products, and the Java-side views of their memory.
     */
    private final class StepProducts {
        final INDArray recurrentWeights;
        final INDArray previousState;
        final INDArray gateProduct;
        final DoubleBuffer previousStateView;
        final DoubleBuffer gateProductView;

        StepProducts(int batchSize) {
            int n = layout.hiddenSize();
            recurrentWeights = Nd4j.create(DataType.DOUBLE, layout.gates(), n);
            view(recurrentWeights).put(0, parameters, layout.recurrentWeights(), 4 * n * n);
            previousState = Nd4j.create(DataType.DOUBLE, batchSize, n);
            gateProduct = Nd4j.create(DataType.DOUBLE, batchSize, layout.gates());
            previousStateView = view(previousState);
            gateProductView = view(gateProduct);
        }
    }

    static DoubleBuffer view(INDArray array) {
        return array.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    ForwardPass forward(SequenceBatch batch, boolean keep) {
        if (batch.inputSize() != layout.inputSize()) {
            throw new IllegalArgumentException(
                    "inputs have "
                            + batch.inputSize()
                            + " features, the network takes "
                            + layout.inputSize());
        }
        int n = layout.hiddenSize();
        int width = layout.gates();
        int k = layout.outputSize();
        int batchSize = batch.batchSize();
        int kept = keep ? batch.timeSteps() : 1;
        double[] gates = new double[kept * batchSize * width];
        double[] cells = new double[kept * batchSize * n];
        double[] cellTanh = new double[kept * batchSize * n];
        double[] states = new double[kept * batchSize * n];
        double[] outputs = new double[batch.rows() * k];
        StepProducts products = new StepProducts(batchSize);

        for (int t = 0; t < batch.timeSteps(); t++) {
            int gateOffset = keep ? t * batchSize * width : 0;
            int stateOffset = keep ? t * batchSize * n : 0;
            // Without keeping, step t overwrites step t - 1 in place, read before it is written.
            int previousOffset = keep ? stateOffset - batchSize * n : 0;

            // z_t = W_h h_{t-1} + W_x x_t + b; h_0 = 0 needs no product.
            if (t == 0) {
                Arrays.fill(gates, gateOffset, gateOffset + batchSize * width, 0);
            } else {
                Nd4j.gemm(
                        products.previousState,
                        products.recurrentWeights,
                        products.gateProduct,
                        false,
                        true,
                        1.0,
                        0.0);
                products.gateProductView.get(0, gates, gateOffset, batchSize * width);
            }
            addInputProjection(batch, t, gates, gateOffset);

            for (int b = 0; b < batchSize; b++) {
                int z = gateOffset + b * width;
                int s = stateOffset + b * n;
                int p = previousOffset + b * n;
                for (int j = 0; j < n; j++) {
                    double input = sigmoid(gates[z + j]);
                    double forget = sigmoid(gates[z + n + j]);
                    double candidate = tanh(gates[z + 2 * n + j]);
                    double output = sigmoid(gates[z + 3 * n + j]);
                    gates[z + j] = input;
                    gates[z + n + j] = forget;
                    gates[z + 2 * n + j] = candidate;
                    gates[z + 3 * n + j] = output;
                    double previousCell = t == 0 ? 0 : cells[p + j];
                    double cell = forget * previousCell + input * candidate;
                    double squashed = tanh(cell);
                    cells[s + j] = cell;
                    cellTanh[s + j] = squashed;
                    states[s + j] = output * squashed;
                }
            }
            products.previousStateView.put(0, states, stateOffset, batchSize * n);
            addOutputs(states, stateOffset, t * batchSize, batchSize, outputs);
        }
        return new ForwardPass(gates, cells, cellTanh, states, outputs);
    }

    /** Adds W_x x_t + b to the pre-activations of step t's rows, skipping zero inputs. */
    private void addInputProjection(SequenceBatch batch, int t, double[] gates, int gateOffset) {
        int m = layout.inputSize();
        int width = layout.gates();
        int weights = layout.inputWeights();
        int bias = layout.gateBias();
        double[] inputs = batch.inputs();
        for (int b = 0; b < batch.batchSize(); b++) {
            int z = gateOffset + b * width;
            int x = (t * batch.batchSize() + b) * m;
            for (int q = 0; q < width; q++) {
                gates[z + q] += parameters[bias + q];
            }
            for (int i = 0; i < m; i++) {
                double value = inputs[x + i];
                if (value == 0) {
                    continue;
                }
                for (int q = 0; q < width; q++) {
                    gates[z + q] += parameters[weights + q * m + i] * value;
                }
            }
        }
    }

    /** Writes y = U h + c for the rows of one step. */
    private void addOutputs(
            double[] states, int stateOffset, int firstRow, int rows, double[] outputs) {
        int n = layout.hiddenSize();
        int k = layout.outputSize();
        int weights = layout.outputWeights();
        int bias = layout.outputBias();
        for (int b = 0; b < rows; b++) {
            int s = stateOffset + b * n;
            int y = (firstRow + b) * k;
            for (int o = 0; o < k; o++) {
                int row = weights + o * n;
                double sum = parameters[bias + o];
                for (int j = 0; j < n; j++) {
                    sum += parameters[row + j] * states[s + j];
                }
                outputs[y + o] = sum;
            }
        }
    }

    /**
     * Backpropagates from the last step to the first. Per step: dL/dh_t from the output and from
     * step t + 1, then dL/dc_t, dL/dz_t, and from dL/dz_t the gradients of W_x, b, W_h and the
     * recurrence's dL/dh_{t-1} and dL/dc_{t-1}. Adds to gradient, and writes the per-step gradients
     * into trace unless it is null.
     */
    void backward(
            SequenceBatch batch,
            ForwardPass pass,
            double[] outputGradient,
            double[] gradient,
            double[] stateGradientNorms,
            BackwardTrace trace) {
        int n = layout.hiddenSize();
        int width = layout.gates();
        int k = layout.outputSize();
        int batchSize = batch.batchSize();
        StepProducts products = new StepProducts(batchSize);
        INDArray preActivationGradient = Nd4j.create(DataType.DOUBLE, batchSize, width);
        INDArray recurrentGradient = Nd4j.create(DataType.DOUBLE, width, n);
        INDArray stateGradientProduct = Nd4j.create(DataType.DOUBLE, batchSize, n);
        DoubleBuffer preActivationView = view(preActivationGradient);
        DoubleBuffer stateGradientView = view(stateGradientProduct);

        double[] dz = new double[batchSize * width];
        double[] dh = new double[batchSize * n];
        double[] nextState = new double[batchSize * n];
        double[] nextCell = new double[batchSize * n];
        int outputWeights = layout.outputWeights();
        int outputBias = layout.outputBias();

        for (int t = batch.timeSteps() - 1; t >= 0; t--) {
            int stateOffset = t * batchSize * n;
            int gateOffset = t * batchSize * width;

            // dL/dh_t = U^T dL/dy_t + dL/dh_t through step t + 1; dL/dU += dL/dy_t h_t^T.
            System.arraycopy(nextState, 0, dh, 0, dh.length);
            for (int b = 0; b < batchSize; b++) {
                int s = stateOffset + b * n;
                int y = (t * batchSize + b) * k;
                for (int o = 0; o < k; o++) {
                    double g = outputGradient[y + o];
                    if (g == 0) {
                        continue;
                    }
                    int row = outputWeights + o * n;
                    gradient[outputBias + o] += g;
                    for (int j = 0; j < n; j++) {
                        dh[b * n + j] += g * parameters[row + j];
                        gradient[row + j] += g * pass.states[s + j];
                    }
                }
            }
            if (stateGradientNorms != null) {
                stateGradientNorms[t] = meanRowNorm(dh, batchSize, n);
            }
            if (trace != null) {
                System.arraycopy(dh, 0, trace.stateGradients(), stateOffset, dh.length);
            }

            for (int b = 0; b < batchSize; b++) {
                int z = gateOffset + b * width;
                int s = stateOffset + b * n;
                int r = b * n;
                int d = b * width;
                for (int j = 0; j < n; j++) {
                    double input = pass.gates[z + j];
                    double forget = pass.gates[z + n + j];
                    double candidate = pass.gates[z + 2 * n + j];
                    double output = pass.gates[z + 3 * n + j];
                    double squashed = pass.cellTanh[s + j];
                    double previousCell = t == 0 ? 0 : pass.cells[s - batchSize * n + j];
                    // dL/dc_t = dL/dh_t o_t (1 - tanh^2 c_t) + dL/dc_t through step t + 1
                    double dc = dh[r + j] * output * (1 - squashed * squashed) + nextCell[r + j];
                    dz[d + j] = dc * candidate * input * (1 - input);
                    dz[d + n + j] = dc * previousCell * forget * (1 - forget);
                    dz[d + 2 * n + j] = dc * input * (1 - candidate * candidate);
                    dz[d + 3 * n + j] = dh[r + j] * squashed * output * (1 - output);
                    nextCell[r + j] = dc * forget;
                    if (trace != null) {
                        trace.cellGradients()[s + j] = dc;
                    }
                }
            }
            if (trace != null) {
                System.arraycopy(dz, 0, trace.gateGradients(), gateOffset, dz.length);
            }
            addInputGradients(batch, t, dz, gradient);

            if (t > 0) {
                // dL/dW_h += dL/dz_t h_{t-1}^T and dL/dh_{t-1} = W_h^T dL/dz_t, for all examples.
                preActivationView.put(0, dz, 0, dz.length);
                products.previousStateView.put(
                        0, pass.states, stateOffset - batchSize * n, batchSize * n);
                Nd4j.gemm(
                        preActivationGradient,
                        products.previousState,
                        recurrentGradient,
                        true,
                        false,
                        1.0,
                        1.0);
                Nd4j.gemm(
                        preActivationGradient,
                        products.recurrentWeights,
                        stateGradientProduct,
                        false,
                        false,
                        1.0,
                        0.0);
                stateGradientView.get(0, nextState, 0, nextState.length);
            }
        }
        view(recurrentGradient).get(0, gradient, layout.recurrentWeights(), width * n);
    }

    /** Adds dL/dW_x += dL/dz_t x_t^T (skipping zero inputs) and dL/db += dL/dz_t. */
    private void addInputGradients(SequenceBatch batch, int t, double[] dz, double[] gradient) {
        int m = layout.inputSize();
        int width = layout.gates();
        int weights = layout.inputWeights();
        int bias = layout.gateBias();
        double[] inputs = batch.inputs();
        for (int b = 0; b < batch.batchSize(); b++) {
            int d = b * width;
            int x = (t * batch.batchSize() + b) * m;
            for (int q = 0; q < width; q++) {
                gradient[bias + q] += dz[d + q];
            }
            for (int i = 0; i < m; i++) {
                double value = inputs[x + i];
                if (value == 0) {
                    continue;
                }
                for (int q = 0; q < width; q++) {
                    gradient[weights + q * m + i] += dz[d + q] * value;
                }
            }
        }
    }

    private static double meanRowNorm(double[] values, int rows, int width) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int q = r * width; q < (r + 1) * width; q++) {
                sum += values[q] * values[q];
            }
            total += Math.sqrt(sum);
        }
        return total / rows;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** tanh x = 2 sigmoid(2x) - 1, through the intrinsic Math.exp rather than Math.tanh. */
    private static double tanh(double x) {
        return 2 / (1 + Math.exp(-2 * x)) - 1;
    }
}
