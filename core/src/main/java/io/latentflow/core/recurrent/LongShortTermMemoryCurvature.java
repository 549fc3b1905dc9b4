package io.latentflow.core.recurrent;

import java.nio.DoubleBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact curvature products of a {@link LongShortTermMemory}'s loss on one batch, for the
 * Hessian-free optimizers of Arjovsky (<a href="https://arxiv.org/abs/1506.00059">arXiv:1506.00059
 * </a>): Pearlmutter's R-operator R{.} = d/de (.)(theta + e v) at e = 0, pushed forward through the
 * recurrence and then back through time (forward-over-reverse), never forming a matrix.
 *
 * <p>Forward half, per step, with the activated gates i, f, g, o, the cell c and s = tanh(c):
 * R{z_t} = V_x x_t + V_h h_{t-1} + W_h R{h_{t-1}} + V_b; R{i} = i (1 - i) R{z_i} (likewise f and
 * o), R{g} = (1 - g^2) R{z_g}; R{c_t} = R{f} c_{t-1} + f R{c_{t-1}} + R{i} g + i R{g}; R{s} = (1 -
 * s^2) R{c}; R{h} = R{o} s + o R{s}; R{y} = V_U h + U R{h} + V_c, which is J v.
 *
 * <p>Backward half, the R-operator of every line of backpropagation through time, from R{dL/dy} =
 * (d2L / dy2) R{y}: R{dh_t} = V_U^T dy_t + U^T R{dy_t} + V_h^T dz_{t+1} + W_h^T R{dz_{t+1}};
 * R{dc_t} = R{dh} o (1 - s^2) + dh R{o} (1 - s^2) - 2 dh o s R{s} + R{dc_{t+1}} f_{t+1} + dc_{t+1}
 * R{f_{t+1}}; R{dz_i} = R{dc} g i (1 - i) + dc R{g} i (1 - i) + dc g (1 - 2i) R{i}; R{dz_f} = R{dc}
 * c_{t-1} f (1 - f) + dc R{c_{t-1}} f (1 - f) + dc c_{t-1} (1 - 2f) R{f}; R{dz_g} = R{dc} i (1 -
 * g^2) + dc R{i} (1 - g^2) - 2 dc i g R{g}; R{dz_o} = R{dh} s o (1 - o) + dh R{s} o (1 - o) + dh s
 * (1 - 2o) R{o}. H v is the R-operator of the gradient: sum_t R{dz_t} x_t^T for W_x, R{dz_t}
 * h_{t-1}^T + dz_t R{h_{t-1}}^T for W_h, R{dz_t} for b, R{dy_t} h_t^T + dy_t R{h_t}^T for U and
 * R{dy_t} for c. The Gauss-Newton product G v = J^T (d2L / dy2) J v is the forward half followed by
 * an ordinary backward pass of (d2L / dy2) J v.
 *
 * <p>What does not depend on v is computed once, when the curvature is made: the forward pass
 * (gates, cells and states of every step), dL/dy, and dL/dh_t, dL/dc_t and dL/dz_t of the
 * gradient's backward pass; memory is linear in the parameters and in T B n. A product then costs
 * one forward and one backward sweep with the same per-step matrix products as a gradient (W_h
 * R{h_{t-1}} on the way forward, W_h^T R{dz_t} on the way back), while the terms in V_h and the
 * Hessian's W_h block are single products over all steps at once. Measured on copying batches (T =
 * 100, so 120 steps, n = 33, batch 20, median thread CPU time, LongShortTermMemoryCurvatureBench in
 * core's test classes, two sittings at load average 13 to 19): H v costs 1.11 to 1.25 gradients, G
 * v 0.86 to 1.05, and making the curvature 1.20 to 1.24.
 *
 * <p>Instances are not thread-safe: the products share buffers.
 */
final class LongShortTermMemoryCurvature implements RecurrentCurvature {
    private final LongShortTermMemory network;
    private final LongShortTermMemoryLayout layout;
    private final double[] parameters;
    private final SequenceBatch batch;
    private final SequenceLoss loss;
    private final LongShortTermMemory.ForwardPass pass;
    private final double[] outputGradient;
    private final LongShortTermMemory.BackwardTrace trace;

    // The ND4J side: W_h, and h_{t-1} and dL/dz_t of steps 1 to T - 1 as (T - 1) B rows.
    private final INDArray recurrentWeights;
    private final INDArray previousStates;
    private final INDArray laterGateGradients;

    // Buffers of one product, reused by the next.
    private final INDArray directionWeights;
    private final INDArray stepState;
    private final INDArray stepGates;
    private final INDArray stepGateDirection;
    private final INDArray stepStateDirection;
    private final INDArray allGateProjection;
    private final INDArray allStateProjection;
    private final INDArray laterGateDirection;
    private final INDArray previousStateDirection;
    private final INDArray recurrentProduct;
    private final double[] gateDirection;
    private final double[] cellDirection;
    private final double[] stateDirection;
    private final double[] outputDirection;
    private final double[] outputGradientDirection;
    private final double[] gateGradientDirection;
    private final double[] stepBuffer;

    /**
     * Runs the forward and backward passes of a network that is not changed afterwards.
     *
     * @param network a frozen copy of the network, owned by this object
     * @param batch the curvature batch
     * @param loss its loss
     */
    LongShortTermMemoryCurvature(
            LongShortTermMemory network, SequenceBatch batch, SequenceLoss loss) {
        this.network = network;
        this.layout = network.layout();
        this.parameters = network.parameters();
        this.batch = batch;
        this.loss = loss;
        int n = layout.hiddenSize();
        int width = layout.gates();
        int k = layout.outputSize();
        int steps = batch.timeSteps();
        int batchSize = batch.batchSize();
        int rows = batch.rows();

        pass = network.forward(batch, true);
        outputGradient = new double[rows * k];
        loss.evaluate(pass.outputs(), steps, batchSize, k, outputGradient);
        trace =
                new LongShortTermMemory.BackwardTrace(
                        new double[rows * n], new double[rows * n], new double[rows * width]);
        network.backward(batch, pass, outputGradient, new double[parameters.length], null, trace);

        recurrentWeights = Nd4j.create(DataType.DOUBLE, width, n);
        LongShortTermMemory.view(recurrentWeights)
                .put(0, parameters, layout.recurrentWeights(), width * n);
        int laterRows = Math.max(1, (steps - 1) * batchSize);
        previousStates = Nd4j.create(DataType.DOUBLE, laterRows, n);
        laterGateGradients = Nd4j.create(DataType.DOUBLE, laterRows, width);
        if (steps > 1) {
            LongShortTermMemory.view(previousStates)
                    .put(0, pass.states(), 0, (steps - 1) * batchSize * n);
            LongShortTermMemory.view(laterGateGradients)
                    .put(
                            0,
                            trace.gateGradients(),
                            batchSize * width,
                            (steps - 1) * batchSize * width);
        }

        directionWeights = Nd4j.create(DataType.DOUBLE, width, n);
        stepState = Nd4j.create(DataType.DOUBLE, batchSize, n);
        stepGates = Nd4j.create(DataType.DOUBLE, batchSize, width);
        stepGateDirection = Nd4j.create(DataType.DOUBLE, batchSize, width);
        stepStateDirection = Nd4j.create(DataType.DOUBLE, batchSize, n);
        allGateProjection = Nd4j.create(DataType.DOUBLE, laterRows, width);
        allStateProjection = Nd4j.create(DataType.DOUBLE, laterRows, n);
        laterGateDirection = Nd4j.create(DataType.DOUBLE, laterRows, width);
        previousStateDirection = Nd4j.create(DataType.DOUBLE, laterRows, n);
        recurrentProduct = Nd4j.create(DataType.DOUBLE, width, n);
        gateDirection = new double[rows * width];
        cellDirection = new double[rows * n];
        stateDirection = new double[rows * n];
        outputDirection = new double[rows * k];
        outputGradientDirection = new double[rows * k];
        gateGradientDirection = new double[rows * width];
        stepBuffer = new double[batchSize * width];
    }

    @Override
    public void hessianTimes(double[] direction, double[] product) {
        checkLengths(direction, product);
        forwardDirection(direction);
        loss.hessianTimes(
                pass.outputs(),
                batch.timeSteps(),
                batch.batchSize(),
                layout.outputSize(),
                outputDirection,
                outputGradientDirection);
        Arrays.fill(product, 0);
        backwardDirection(direction, product);
    }

    @Override
    public void gaussNewtonTimes(double[] direction, double[] product) {
        checkLengths(direction, product);
        forwardDirection(direction);
        loss.hessianTimes(
                pass.outputs(),
                batch.timeSteps(),
                batch.batchSize(),
                layout.outputSize(),
                outputDirection,
                outputGradientDirection);
        Arrays.fill(product, 0);
        network.backward(batch, pass, outputGradientDirection, product, null, null);
    }

    private void checkLengths(double[] direction, double[] product) {
        if (direction.length != parameters.length || product.length != parameters.length) {
            throw new IllegalArgumentException(
                    "direction and product must have "
                            + parameters.length
                            + " entries, not "
                            + direction.length
                            + " and "
                            + product.length);
        }
    }

    /**
     * The forward half: R{z}, then R{i, f, g, o} in place in gateDirection, R{c}, R{h} and R{y} of
     * every step.
     */
    private void forwardDirection(double[] v) {
        int n = layout.hiddenSize();
        int width = layout.gates();
        int batchSize = batch.batchSize();
        int steps = batch.timeSteps();
        int stepWidth = batchSize * width;
        double[] gates = pass.gates();
        double[] cells = pass.cells();
        double[] cellTanh = pass.cellTanh();

        // V_h h_{t-1} for every step t >= 1 in one product; 0 at t = 0, where h_{-1} = 0.
        LongShortTermMemory.view(directionWeights).put(0, v, layout.recurrentWeights(), width * n);
        Arrays.fill(gateDirection, 0, stepWidth, 0);
        if (steps > 1) {
            Nd4j.gemm(previousStates, directionWeights, allGateProjection, false, true, 1.0, 0.0);
            LongShortTermMemory.view(allGateProjection)
                    .get(0, gateDirection, stepWidth, (steps - 1) * stepWidth);
        }
        DoubleBuffer stepStateView = LongShortTermMemory.view(stepState);
        DoubleBuffer stepGatesView = LongShortTermMemory.view(stepGates);

        for (int t = 0; t < steps; t++) {
            int gateOffset = t * stepWidth;
            int stateOffset = t * batchSize * n;
            int previousOffset = stateOffset - batchSize * n;

            // + W_h R{h_{t-1}} + V_x x_t + V_b
            if (t > 0) {
                stepStateView.put(0, stateDirection, previousOffset, batchSize * n);
                Nd4j.gemm(stepState, recurrentWeights, stepGates, false, true, 1.0, 0.0);
                stepGatesView.get(0, stepBuffer, 0, stepWidth);
                for (int q = 0; q < stepWidth; q++) {
                    gateDirection[gateOffset + q] += stepBuffer[q];
                }
            }
            addInputDirection(v, t, gateOffset);

            for (int b = 0; b < batchSize; b++) {
                int z = gateOffset + b * width;
                int s = stateOffset + b * n;
                int p = previousOffset + b * n;
                for (int j = 0; j < n; j++) {
                    double input = gates[z + j];
                    double forget = gates[z + n + j];
                    double candidate = gates[z + 2 * n + j];
                    double output = gates[z + 3 * n + j];
                    double rInput = input * (1 - input) * gateDirection[z + j];
                    double rForget = forget * (1 - forget) * gateDirection[z + n + j];
                    double rCandidate = (1 - candidate * candidate) * gateDirection[z + 2 * n + j];
                    double rOutput = output * (1 - output) * gateDirection[z + 3 * n + j];
                    gateDirection[z + j] = rInput;
                    gateDirection[z + n + j] = rForget;
                    gateDirection[z + 2 * n + j] = rCandidate;
                    gateDirection[z + 3 * n + j] = rOutput;
                    double previousCell = t == 0 ? 0 : cells[p + j];
                    double rPreviousCell = t == 0 ? 0 : cellDirection[p + j];
                    double rCell =
                            rForget * previousCell
                                    + forget * rPreviousCell
                                    + rInput * candidate
                                    + input * rCandidate;
                    double squashed = cellTanh[s + j];
                    cellDirection[s + j] = rCell;
                    stateDirection[s + j] =
                            rOutput * squashed + output * (1 - squashed * squashed) * rCell;
                }
            }
        }
        outputDirections(v);
    }

    /** Adds V_x x_t + V_b to R{z_t} of step t's rows, skipping zero inputs. */
    private void addInputDirection(double[] v, int t, int gateOffset) {
        int m = layout.inputSize();
        int width = layout.gates();
        int weights = layout.inputWeights();
        int bias = layout.gateBias();
        double[] inputs = batch.inputs();
        for (int b = 0; b < batch.batchSize(); b++) {
            int z = gateOffset + b * width;
            int x = (t * batch.batchSize() + b) * m;
            for (int q = 0; q < width; q++) {
                gateDirection[z + q] += v[bias + q];
            }
            for (int i = 0; i < m; i++) {
                double value = inputs[x + i];
                if (value == 0) {
                    continue;
                }
                for (int q = 0; q < width; q++) {
                    gateDirection[z + q] += v[weights + q * m + i] * value;
                }
            }
        }
    }

    /** R{y} = V_U h + U R{h} + V_c for every row. */
    private void outputDirections(double[] v) {
        int n = layout.hiddenSize();
        int k = layout.outputSize();
        int weights = layout.outputWeights();
        int bias = layout.outputBias();
        double[] states = pass.states();
        for (int row = 0; row < batch.rows(); row++) {
            int s = row * n;
            for (int o = 0; o < k; o++) {
                int w = weights + o * n;
                double sum = v[bias + o];
                for (int j = 0; j < n; j++) {
                    sum += v[w + j] * states[s + j] + parameters[w + j] * stateDirection[s + j];
                }
                outputDirection[row * k + o] = sum;
            }
        }
    }

    /**
     * The backward half, from the last step to the first, after outputGradientDirection holds
     * R{dL/dy}: R{dh_t}, R{dc_t}, R{dz_t}, and from them H v, which is added to product.
     */
    private void backwardDirection(double[] v, double[] product) {
        int n = layout.hiddenSize();
        int width = layout.gates();
        int k = layout.outputSize();
        int batchSize = batch.batchSize();
        int steps = batch.timeSteps();
        int stepWidth = batchSize * width;
        int stepStates = batchSize * n;
        double[] gates = pass.gates();
        double[] cells = pass.cells();
        double[] cellTanh = pass.cellTanh();
        double[] states = pass.states();
        double[] stateGradients = trace.stateGradients();
        double[] cellGradients = trace.cellGradients();
        double[] gateGradients = trace.gateGradients();
        int outputWeights = layout.outputWeights();
        int outputBias = layout.outputBias();

        // V_h^T dz_{t+1} for every step t < T - 1 in one product, row block t.
        double[] laterProjection = new double[Math.max(0, (steps - 1) * stepStates)];
        if (steps > 1) {
            Nd4j.gemm(
                    laterGateGradients,
                    directionWeights,
                    allStateProjection,
                    false,
                    false,
                    1.0,
                    0.0);
            LongShortTermMemory.view(allStateProjection)
                    .get(0, laterProjection, 0, laterProjection.length);
        }
        double[] rStateGradient = new double[stepStates];
        double[] rNextState = new double[stepStates];
        double[] rNextCell = new double[stepStates];
        DoubleBuffer stepGateDirectionView = LongShortTermMemory.view(stepGateDirection);
        DoubleBuffer stepStateDirectionView = LongShortTermMemory.view(stepStateDirection);

        for (int t = steps - 1; t >= 0; t--) {
            int stateOffset = t * stepStates;
            int gateOffset = t * stepWidth;

            // R{dh_t} = U^T R{dy_t} + V_U^T dy_t + (W_h^T R{dz_{t+1}} + V_h^T dz_{t+1});
            // H v for U and c: R{dy_t} h_t^T + dy_t R{h_t}^T and R{dy_t}.
            for (int q = 0; q < stepStates; q++) {
                rStateGradient[q] =
                        t == steps - 1 ? 0 : rNextState[q] + laterProjection[stateOffset + q];
            }
            for (int b = 0; b < batchSize; b++) {
                int s = stateOffset + b * n;
                int y = (t * batchSize + b) * k;
                for (int o = 0; o < k; o++) {
                    double g = outputGradient[y + o];
                    double rg = outputGradientDirection[y + o];
                    if (g == 0 && rg == 0) {
                        continue;
                    }
                    int row = outputWeights + o * n;
                    product[outputBias + o] += rg;
                    for (int j = 0; j < n; j++) {
                        rStateGradient[b * n + j] += rg * parameters[row + j] + g * v[row + j];
                        product[row + j] += rg * states[s + j] + g * stateDirection[s + j];
                    }
                }
            }

            for (int b = 0; b < batchSize; b++) {
                int z = gateOffset + b * width;
                int s = stateOffset + b * n;
                int p = s - stepStates;
                int r = b * n;
                for (int j = 0; j < n; j++) {
                    double input = gates[z + j];
                    double forget = gates[z + n + j];
                    double candidate = gates[z + 2 * n + j];
                    double output = gates[z + 3 * n + j];
                    double rInput = gateDirection[z + j];
                    double rForget = gateDirection[z + n + j];
                    double rCandidate = gateDirection[z + 2 * n + j];
                    double rOutput = gateDirection[z + 3 * n + j];
                    double squashed = cellTanh[s + j];
                    double squashSlope = 1 - squashed * squashed;
                    double rSquashed = squashSlope * cellDirection[s + j];
                    double previousCell = t == 0 ? 0 : cells[p + j];
                    double rPreviousCell = t == 0 ? 0 : cellDirection[p + j];
                    double dh = stateGradients[s + j];
                    double dc = cellGradients[s + j];
                    double rdh = rStateGradient[r + j];

                    double rdc =
                            rdh * output * squashSlope
                                    + dh * rOutput * squashSlope
                                    - 2 * dh * output * squashed * rSquashed
                                    + rNextCell[r + j];
                    double inputSlope = input * (1 - input);
                    double forgetSlope = forget * (1 - forget);
                    double candidateSlope = 1 - candidate * candidate;
                    double outputSlope = output * (1 - output);
                    gateGradientDirection[z + j] =
                            (rdc * candidate + dc * rCandidate) * inputSlope
                                    + dc * candidate * (1 - 2 * input) * rInput;
                    gateGradientDirection[z + n + j] =
                            (rdc * previousCell + dc * rPreviousCell) * forgetSlope
                                    + dc * previousCell * (1 - 2 * forget) * rForget;
                    gateGradientDirection[z + 2 * n + j] =
                            (rdc * input + dc * rInput) * candidateSlope
                                    - 2 * dc * input * candidate * rCandidate;
                    gateGradientDirection[z + 3 * n + j] =
                            (rdh * squashed + dh * rSquashed) * outputSlope
                                    + dh * squashed * (1 - 2 * output) * rOutput;
                    rNextCell[r + j] = rdc * forget + dc * rForget;
                }
            }
            addInputProducts(t, gateOffset, product);

            if (t > 0) {
                // R{dh_{t-1}} gets W_h^T R{dz_t}.
                stepGateDirectionView.put(0, gateGradientDirection, gateOffset, stepWidth);
                Nd4j.gemm(
                        stepGateDirection,
                        recurrentWeights,
                        stepStateDirection,
                        false,
                        false,
                        1.0,
                        0.0);
                stepStateDirectionView.get(0, rNextState, 0, stepStates);
            }
        }

        // H v for W_h: sum over t >= 1 of R{dz_t} h_{t-1}^T + dz_t R{h_{t-1}}^T, two products.
        if (steps > 1) {
            LongShortTermMemory.view(laterGateDirection)
                    .put(0, gateGradientDirection, stepWidth, (steps - 1) * stepWidth);
            LongShortTermMemory.view(previousStateDirection)
                    .put(0, stateDirection, 0, (steps - 1) * stepStates);
            Nd4j.gemm(laterGateDirection, previousStates, recurrentProduct, true, false, 1.0, 0.0);
            Nd4j.gemm(
                    laterGateGradients,
                    previousStateDirection,
                    recurrentProduct,
                    true,
                    false,
                    1.0,
                    1.0);
            LongShortTermMemory.view(recurrentProduct)
                    .get(0, product, layout.recurrentWeights(), width * n);
        }
    }

    /** Adds H v for W_x, R{dz_t} x_t^T (skipping zero inputs), and for b, R{dz_t}. */
    private void addInputProducts(int t, int gateOffset, double[] product) {
        int m = layout.inputSize();
        int width = layout.gates();
        int weights = layout.inputWeights();
        int bias = layout.gateBias();
        double[] inputs = batch.inputs();
        for (int b = 0; b < batch.batchSize(); b++) {
            int d = gateOffset + b * width;
            int x = (t * batch.batchSize() + b) * m;
            for (int q = 0; q < width; q++) {
                product[bias + q] += gateGradientDirection[d + q];
            }
            for (int i = 0; i < m; i++) {
                double value = inputs[x + i];
                if (value == 0) {
                    continue;
                }
                for (int q = 0; q < width; q++) {
                    product[weights + q * m + i] += gateGradientDirection[d + q] * value;
                }
            }
        }
    }
}
