package io.latentflow.core.recurrent;

import java.util.Arrays;

/**
 * Exact curvature products of a {@link UnitaryEvolutionRnn}'s loss on one batch, for Hessian-free
 * optimisation (Martens, ICML 2010; the saddle-free variant of Arjovsky, <a
 * href="https://arxiv.org/abs/1506.00059">arXiv:1506.00059</a>), by Pearlmutter's R-operator (<a
 * href="https://doi.org/10.1162/neco.1994.6.1.147">Neural Computation 6(1), 1994</a>); no matrix of
 * parameter size is ever formed.
 *
 * <p>H v, forward-over-reverse: R{.} is pushed through the forward recurrence, R z_t = R(W h_{t-1})
 * + R V x_t and R h_t = R modReLU(z_t), to R y_t = U R h_t + RU h_t + Rc; the loss gives R dL/dy =
 * (d2L/dy2) R y; then R{.} of the backward pass through time is taken along with the ordinary
 * backward pass, with the second-order terms of modReLU ({@link ModReluTangent}), of the phase
 * diagonals and of the reflections ({@link UnitaryFactorChainTangent}), and the cross terms between
 * parameters and states: R dL/dU = R dL/dy h^T + dL/dy R h^T, R dL/dh = U^T R dL/dy + RU^T dL/dy,
 * and so on. The result, R{dL/d parameters}, is H v.
 *
 * <p>G v, Gauss-Newton: J v = R y by the same forward half, then (d2L/dy2) J v, then an ordinary
 * backward pass of that output gradient, J^T (d2L/dy2) J v.
 *
 * <p>The products always run the factor loops, whatever design ({@link RecurrenceDesign}) the
 * network trains with; the two designs agree to about 1e-10. The forward pass at construction keeps
 * z_t and h_t of every row; each product keeps R z_t, R h_t and the gradients with respect to the
 * states, and applies the chain again per row on its way back: memory linear in the number of
 * parameters and in T * B * n, and a product costs about three gradients.
 *
 * <p>The products read a copy of the parameters taken at construction, so they stay those of that
 * point when the network's parameters move. Instances are not thread-safe.
 */
final class UnitaryEvolutionCurvature implements RecurrentCurvature {
    private final UnitaryEvolutionRnnLayout layout;
    private final double[] parameters;
    private final SequenceBatch batch;
    private final SequenceLoss loss;
    private final UnitaryFactorChainTangent chain;
    private final BlasMatrixProduct products = new BlasMatrixProduct();
    private final double[] preActivations;
    private final double[] states;
    private final double[] outputs;
    private final double[] outputGradient;
    private final double value;

    /**
     * Runs the network forward over the batch at {@code parameters} and keeps what the products
     * need.
     *
     * @param parameters copied
     * @param permutation P of the network, not copied
     */
    UnitaryEvolutionCurvature(
            UnitaryEvolutionRnnLayout layout,
            double[] parameters,
            int[] permutation,
            SequenceBatch batch,
            SequenceLoss loss) {
        if (batch.inputSize() != layout.inputSize()) {
            throw new IllegalArgumentException(
                    "inputs have "
                            + batch.inputSize()
                            + " features, the network takes "
                            + layout.inputSize());
        }
        this.layout = layout;
        this.parameters = parameters.clone();
        this.batch = batch;
        this.loss = loss;
        int n = layout.hiddenSize();
        this.chain =
                new UnitaryFactorChainTangent(
                        this.parameters, layout, permutation, new UnitaryDft(n));

        int rows = batch.rows();
        int width = 2 * n;
        int batchSize = batch.batchSize();
        preActivations = inputProjection(this.parameters);
        states = new double[rows * width];
        for (int t = 0; t < batch.timeSteps(); t++) {
            for (int b = 0; b < batchSize; b++) {
                int offset = (t * batchSize + b) * width;
                chain.forward(
                        previous(states, this.parameters, t),
                        previousOffset(t, offset),
                        null,
                        0,
                        false);
                addInterleaved(chain.output(), preActivations, offset);
                ModRelu.forward(
                        preActivations, offset, this.parameters, layout.modReluBias(), states, n);
            }
        }
        outputs = new double[rows * layout.outputSize()];
        products.multiply(
                false,
                true,
                rows,
                layout.outputSize(),
                width,
                states,
                0,
                this.parameters,
                layout.outputWeights(),
                0,
                outputs,
                0);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < layout.outputSize(); o++) {
                outputs[r * layout.outputSize() + o] += this.parameters[layout.outputBias() + o];
            }
        }
        outputGradient = new double[outputs.length];
        value =
                loss.evaluate(
                        outputs, batch.timeSteps(), batchSize, layout.outputSize(), outputGradient);
    }

    /** Returns the loss on the batch at the point the products belong to. */
    double loss() {
        return value;
    }

    @Override
    public void hessianTimes(double[] direction, double[] product) {
        checkLengths(direction, product);
        Tangents tangents = forwardTangents(direction);
        double[] outputHessian = outputHessianTimes(tangents.outputs);
        double[] gradient = new double[parameters.length];
        Arrays.fill(product, 0);
        backward(outputGradient, outputHessian, tangents, direction, gradient, product, true);
    }

    @Override
    public void gaussNewtonTimes(double[] direction, double[] product) {
        checkLengths(direction, product);
        Tangents tangents = forwardTangents(direction);
        double[] outputHessian = outputHessianTimes(tangents.outputs);
        Arrays.fill(product, 0);
        backward(outputHessian, null, tangents, direction, product, null, false);
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

    /** R z_t, R h_t and R y_t of every row along a parameter direction. */
    private record Tangents(double[] preActivations, double[] states, double[] outputs) {}

    private Tangents forwardTangents(double[] direction) {
        int n = layout.hiddenSize();
        int width = 2 * n;
        int rows = batch.rows();
        int batchSize = batch.batchSize();
        int k = layout.outputSize();
        chain.setDirection(direction);

        // R z_t = R(W h_{t-1}) + RV x_t, R h_t = R modReLU(z_t), R h_{-1} = R h0.
        double[] rz = inputProjection(direction);
        double[] rh = new double[rows * width];
        for (int t = 0; t < batch.timeSteps(); t++) {
            for (int b = 0; b < batchSize; b++) {
                int offset = (t * batchSize + b) * width;
                int from = previousOffset(t, offset);
                chain.forward(
                        previous(states, parameters, t),
                        from,
                        previous(rh, direction, t),
                        from,
                        true);
                addInterleaved(chain.outputTangent(), rz, offset);
                ModReluTangent.forward(
                        preActivations,
                        rz,
                        offset,
                        parameters,
                        direction,
                        layout.modReluBias(),
                        rh,
                        n);
            }
        }

        // R y = U R h + RU h + Rc
        double[] ry = new double[rows * k];
        products.multiply(
                false, true, rows, k, width, rh, 0, parameters, layout.outputWeights(), 0, ry, 0);
        products.multiply(
                false,
                true,
                rows,
                k,
                width,
                states,
                0,
                direction,
                layout.outputWeights(),
                1,
                ry,
                0);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < k; o++) {
                ry[r * k + o] += direction[layout.outputBias() + o];
            }
        }
        return new Tangents(rz, rh, ry);
    }

    private double[] outputHessianTimes(double[] outputDirection) {
        double[] result = new double[outputDirection.length];
        loss.hessianTimes(
                outputs,
                batch.timeSteps(),
                batch.batchSize(),
                layout.outputSize(),
                outputDirection,
                result);
        return result;
    }

    /**
     * Backpropagates {@code dy} through time into {@code gradient}; with {@code withTangents} also
     * its R, from {@code rdy} = R dL/dy and the forward tangents, into {@code rGradient}.
     */
    private void backward(
            double[] dy,
            double[] rdy,
            Tangents tangents,
            double[] direction,
            double[] gradient,
            double[] rGradient,
            boolean withTangents) {
        int n = layout.hiddenSize();
        int width = 2 * n;
        int rows = batch.rows();
        int batchSize = batch.batchSize();
        int k = layout.outputSize();
        int weights = layout.outputWeights();

        // dL/dh = dy U, dL/dU = dy^T H, dL/dc = column sums of dy; and their R.
        double[] gh = new double[rows * width];
        products.multiply(false, false, rows, width, k, dy, 0, parameters, weights, 0, gh, 0);
        products.multiply(true, false, k, width, rows, dy, 0, states, 0, 1, gradient, weights);
        double[] rgh = null;
        if (withTangents) {
            rgh = new double[rows * width];
            products.multiply(false, false, rows, width, k, rdy, 0, parameters, weights, 0, rgh, 0);
            products.multiply(false, false, rows, width, k, dy, 0, direction, weights, 1, rgh, 0);
            products.multiply(
                    true, false, k, width, rows, rdy, 0, states, 0, 1, rGradient, weights);
            products.multiply(
                    true, false, k, width, rows, dy, 0, tangents.states, 0, 1, rGradient, weights);
        }
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < k; o++) {
                gradient[layout.outputBias() + o] += dy[r * k + o];
                if (withTangents) {
                    rGradient[layout.outputBias() + o] += rdy[r * k + o];
                }
            }
        }

        double[] g = new double[width];
        double[] rg = new double[width];
        for (int t = batch.timeSteps() - 1; t >= 0; t--) {
            for (int b = 0; b < batchSize; b++) {
                int offset = (t * batchSize + b) * width;
                ModReluTangent.backward(
                        preActivations,
                        tangents.preActivations,
                        offset,
                        parameters,
                        direction,
                        layout.modReluBias(),
                        gh,
                        rgh,
                        gradient,
                        rGradient,
                        n,
                        withTangents);

                // dL/dh_{t-1} += W^H dL/dz_t, with the chain's inputs applied again from h_{t-1}.
                int from = previousOffset(t, offset);
                chain.forward(
                        previous(states, parameters, t),
                        from,
                        withTangents ? previous(tangents.states, direction, t) : null,
                        from,
                        withTangents);
                for (int j = 0; j < n; j++) {
                    g[2 * j] = gh[offset + j];
                    g[2 * j + 1] = gh[offset + n + j];
                    if (withTangents) {
                        rg[2 * j] = rgh[offset + j];
                        rg[2 * j + 1] = rgh[offset + n + j];
                    }
                }
                chain.backward(g, rg, gradient, rGradient, withTangents);
                addInterleaved(g, t == 0 ? gradient : gh, from);
                if (withTangents) {
                    addInterleaved(rg, t == 0 ? rGradient : rgh, from);
                }
            }
        }

        // dL/dV = sum over rows of dL/dz_t x_t^T; R dL/dV the same of R dL/dz_t.
        inputProjectionBackward(gh, gradient);
        if (withTangents) {
            inputProjectionBackward(rgh, rGradient);
        }
    }

    /** h_{t-1}'s array: the states, or the parameters' (or direction's) initial state at t = 0. */
    private static double[] previous(double[] states, double[] initial, int t) {
        return t == 0 ? initial : states;
    }

    private int previousOffset(int t, int offset) {
        return t == 0
                ? layout.initialState()
                : offset - batch.batchSize() * 2 * layout.hiddenSize();
    }

    private void addInterleaved(double[] interleaved, double[] split, int offset) {
        int n = layout.hiddenSize();
        for (int j = 0; j < n; j++) {
            split[offset + j] += interleaved[2 * j];
            split[offset + n + j] += interleaved[2 * j + 1];
        }
    }

    /** Returns V x_t for every row as [Re; Im], V taken from {@code vector}'s layout. */
    private double[] inputProjection(double[] vector) {
        int n = layout.hiddenSize();
        int m = layout.inputSize();
        int real = layout.inputReal();
        int imaginary = layout.inputImaginary();
        double[] inputs = batch.inputs();
        double[] projected = new double[batch.rows() * 2 * n];
        for (int r = 0; r < batch.rows(); r++) {
            int out = r * 2 * n;
            for (int i = 0; i < m; i++) {
                double x = inputs[r * m + i];
                if (x == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    projected[out + j] += vector[real + j * m + i] * x;
                    projected[out + n + j] += vector[imaginary + j * m + i] * x;
                }
            }
        }
        return projected;
    }

    private void inputProjectionBackward(double[] preActivationGradient, double[] gradient) {
        int n = layout.hiddenSize();
        int m = layout.inputSize();
        int real = layout.inputReal();
        int imaginary = layout.inputImaginary();
        double[] inputs = batch.inputs();
        for (int r = 0; r < batch.rows(); r++) {
            int row = r * 2 * n;
            for (int i = 0; i < m; i++) {
                double x = inputs[r * m + i];
                if (x == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    gradient[real + j * m + i] += preActivationGradient[row + j] * x;
                    gradient[imaginary + j * m + i] += preActivationGradient[row + n + j] * x;
                }
            }
        }
    }
}
