package io.latentflow.core.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A multilayer perceptron: dense layers with LeakyReLU between them and a chosen {@link
 * OutputActivation} after the last, trained by hand-written backpropagation.
 *
 * <p>All parameters live in one flat vector and all gradients in another of the same length, with
 * each layer's weights and biases as views into them, so that an optimizer updates the whole
 * network in a few whole-vector operations and a snapshot is one array. Layer l occupies widths[l]
 * * widths[l + 1] row-major weights followed by widths[l + 1] biases, layers in order.
 *
 * <p>{@link #forward} keeps the activations it computes, in buffers reused while the number of rows
 * stays the same, for the next {@link #backward}; {@link #infer} keeps nothing. Instances are not
 * thread-safe.
 */
public final class FeedForwardNetwork {
    /** Parameters hashed per buffer fill, so that a large network needs no byte copy of itself. */
    private static final int HASH_CHUNK = 1 << 16;

    private final int[] widths;
    private final double leakySlope;
    private final OutputActivation outputActivation;
    private final DataType dataType;
    private final INDArray parameters;
    private final INDArray gradient;
    private final DenseLayer[] layers;

    private final ForwardCache cache = new ForwardCache();

    /**
     * Creates a network with all parameters zero.
     *
     * @param widths the number of features at each layer boundary, input first and output last; at
     *     least two entries, all positive
     * @param leakySlope the slope of LeakyReLU for negative inputs, in [0, 1]; 1 makes the hidden
     *     layers linear, as in a deep linear network
     * @param outputActivation the function applied to the last layer's output
     * @param dataType FLOAT or DOUBLE, for parameters, gradients and activations
     */
    public FeedForwardNetwork(
            int[] widths, double leakySlope, OutputActivation outputActivation, DataType dataType) {
        if (widths.length < 2 || Arrays.stream(widths).anyMatch(width -> width <= 0)) {
            throw new IllegalArgumentException(
                    "widths must hold at least two positive sizes: " + Arrays.toString(widths));
        }
        if (!(leakySlope >= 0 && leakySlope <= 1)) {
            throw new IllegalArgumentException("leakySlope must be in [0, 1]: " + leakySlope);
        }
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE: " + dataType);
        }
        this.widths = widths.clone();
        this.leakySlope = leakySlope;
        this.outputActivation = outputActivation;
        this.dataType = dataType;

        long count = 0;
        for (int l = 0; l + 1 < widths.length; l++) {
            count += DenseLayer.parameterCount(widths[l], widths[l + 1]);
        }
        this.parameters = Nd4j.zeros(dataType, count);
        this.gradient = Nd4j.zeros(dataType, count);

        this.layers = new DenseLayer[widths.length - 1];
        long offset = 0;
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new DenseLayer(widths[l], widths[l + 1], parameters, gradient, offset);
            offset += DenseLayer.parameterCount(widths[l], widths[l + 1]);
        }
    }

    /**
     * Draws every weight and bias of layer l uniformly from [-1 / sqrt(widths[l]), 1 /
     * sqrt(widths[l])), as PyTorch's nn.Linear does, in flat-vector order.
     */
    public void initializeUniform(SplittableRandom random) {
        double[] values = new double[Math.toIntExact(parameterCount())];
        int index = 0;
        for (DenseLayer layer : layers) {
            double bound = 1.0 / Math.sqrt(layer.inputs());
            long layerCount = DenseLayer.parameterCount(layer.inputs(), layer.outputs());
            for (long k = 0; k < layerCount; k++) {
                values[index++] = random.nextDouble(-bound, bound);
            }
        }
        parameters.assign(Nd4j.createFromArray(values));
    }

    /**
     * Computes the network's output for the rows of input and keeps the activations for {@link
     * #backward}. The input must stay unchanged until then.
     *
     * @param input [rows, widths[0]] of this network's data type
     * @return [rows, output width], a buffer owned by this network and overwritten by the next
     *     forward pass
     */
    public INDArray forward(INDArray input) {
        checkMatrix("input", input, widths[0]);
        cache.ensureRows(Math.toIntExact(input.rows()));
        cache.input = input;

        INDArray current = input;
        for (int l = 0; l + 1 < layers.length; l++) {
            INDArray hidden = cache.hidden[l];
            layers[l].forward(current, hidden);
            Nd4j.exec(new LeakyReLU(hidden, hidden, leakySlope));
            // LeakyReLU keeps the sign of its input for slopes in [0, 1], so the derivative can
            // be read from the output. It is kept because a discriminator is run backward twice.
            Nd4j.exec(new LeakyReLUDerivative(hidden, cache.slopes[l], leakySlope));
            current = hidden;
        }
        layers[layers.length - 1].forward(current, cache.outputAffine);
        if (outputActivation == OutputActivation.SIGMOID) {
            Nd4j.exec(new Sigmoid(cache.outputAffine, cache.output));
        }
        return cache.output;
    }

    /**
     * Propagates the gradient of a loss with respect to the last {@link #forward} output back
     * through the network.
     *
     * @param outputGradient [rows, output width]; not modified
     * @param target which gradients to compute; parameter gradients overwrite {@link #gradient()}
     * @return the gradient with respect to the input, [rows, widths[0]], in a buffer owned by this
     *     network, or null when the target does not include it
     */
    public INDArray backward(INDArray outputGradient, GradientTarget target) {
        if (cache.input == null) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        checkMatrix("outputGradient", outputGradient, widths[widths.length - 1]);
        if (outputGradient.rows() != cache.rows) {
            throw new IllegalArgumentException(
                    "outputGradient has "
                            + outputGradient.rows()
                            + " rows but the forward pass had "
                            + cache.rows);
        }

        INDArray delta = outputGradient;
        if (outputActivation == OutputActivation.SIGMOID) {
            // d(loss)/d(a) = d(loss)/d(y) * sigmoid(a) * (1 - sigmoid(a)), y = sigmoid(a)
            Nd4j.exec(
                    new SigmoidDerivative(
                            cache.outputAffine, outputGradient, cache.outputAffineGradient));
            delta = cache.outputAffineGradient;
        }

        for (int l = layers.length - 1; l >= 0; l--) {
            INDArray layerInput = l == 0 ? cache.input : cache.hidden[l - 1];
            if (target.parameters()) {
                layers[l].backwardParameters(layerInput, delta, cache.ones);
            }
            if (l > 0) {
                INDArray hiddenGradient = cache.hiddenGradient[l - 1];
                layers[l].backwardInput(delta, hiddenGradient);
                hiddenGradient.muli(cache.slopes[l - 1]);
                delta = hiddenGradient;
            } else if (target.input()) {
                layers[0].backwardInput(delta, cache.inputGradient);
            }
        }
        return target.input() ? cache.inputGradient : null;
    }

    /**
     * Computes the network's output for the rows of input into a new array, leaving the training
     * activations kept by {@link #forward} untouched.
     */
    public INDArray infer(INDArray input) {
        checkMatrix("input", input, widths[0]);
        long rows = input.rows();
        INDArray current = input;
        for (int l = 0; l < layers.length; l++) {
            INDArray next = Nd4j.create(dataType, rows, widths[l + 1]);
            layers[l].forward(current, next);
            if (l + 1 < layers.length) {
                Nd4j.exec(new LeakyReLU(next, next, leakySlope));
            } else if (outputActivation == OutputActivation.SIGMOID) {
                Nd4j.exec(new Sigmoid(next, next));
            }
            current = next;
        }
        return current;
    }

    private void checkMatrix(String name, INDArray array, int columns) {
        if (array.rank() != 2 || array.columns() != columns) {
            throw new IllegalArgumentException(
                    name
                            + " must be [rows, "
                            + columns
                            + "] but is "
                            + Arrays.toString(array.shape()));
        }
        if (array.dataType() != dataType) {
            throw new IllegalArgumentException(
                    name + " must be " + dataType + " but is " + array.dataType());
        }
    }

    /** Returns the number of entries in the flat parameter vector. */
    public long parameterCount() {
        return parameters.length();
    }

    /**
     * Returns the SHA-256 of the parameters as big-endian float32 values in flat-vector order, in
     * hexadecimal: two networks with the same hash have the same weights to float32 precision, the
     * check that a seeded run reproduces.
     */
    public String parameterHash() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        float[] values =
                (dataType == DataType.FLOAT ? parameters : parameters.castTo(DataType.FLOAT))
                        .toFloatVector();
        ByteBuffer bytes =
                ByteBuffer.allocate(HASH_CHUNK * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
        for (int start = 0; start < values.length; start += HASH_CHUNK) {
            int length = Math.min(HASH_CHUNK, values.length - start);
            bytes.clear();
            bytes.asFloatBuffer().put(values, start, length);
            digest.update(bytes.array(), 0, length * Float.BYTES);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Returns the flat parameter vector, live: layers' weights and biases are views into it. */
    public INDArray parameters() {
        return parameters;
    }

    /** Returns the flat gradient vector, live, laid out like {@link #parameters()}. */
    public INDArray gradient() {
        return gradient;
    }

    /** Returns the dense layers in order from input to output. */
    public DenseLayer layer(int index) {
        return layers[index];
    }

    /** Returns the number of dense layers. */
    public int layerCount() {
        return layers.length;
    }

    /** Returns the feature counts at each layer boundary, input first. */
    public int[] widths() {
        return widths.clone();
    }

    /** Returns the slope of LeakyReLU for negative inputs. */
    public double leakySlope() {
        return leakySlope;
    }

    /** Returns the function applied after the last dense layer. */
    public OutputActivation outputActivation() {
        return outputActivation;
    }

    /** Returns the data type of parameters, gradients and activations. */
    public DataType dataType() {
        return dataType;
    }

    /** Buffers of one forward and backward pass, reallocated only when the row count changes. */
    private final class ForwardCache {
        private int rows = -1;
        private INDArray input;
        private INDArray[] hidden;
        private INDArray[] slopes;
        private INDArray[] hiddenGradient;
        private INDArray outputAffine;
        private INDArray output;
        private INDArray outputAffineGradient;
        private INDArray inputGradient;
        private INDArray ones;

        private void ensureRows(int newRows) {
            if (newRows == rows) {
                return;
            }
            int hiddenCount = layers.length - 1;
            hidden = new INDArray[hiddenCount];
            slopes = new INDArray[hiddenCount];
            hiddenGradient = new INDArray[hiddenCount];
            for (int l = 0; l < hiddenCount; l++) {
                hidden[l] = Nd4j.create(dataType, newRows, widths[l + 1]);
                slopes[l] = Nd4j.create(dataType, newRows, widths[l + 1]);
                hiddenGradient[l] = Nd4j.create(dataType, newRows, widths[l + 1]);
            }
            int outputs = widths[widths.length - 1];
            outputAffine = Nd4j.create(dataType, newRows, outputs);
            boolean sigmoid = outputActivation == OutputActivation.SIGMOID;
            output = sigmoid ? Nd4j.create(dataType, newRows, outputs) : outputAffine;
            outputAffineGradient = sigmoid ? Nd4j.create(dataType, newRows, outputs) : null;
            inputGradient = Nd4j.create(dataType, newRows, widths[0]);
            ones = Nd4j.ones(dataType, 1, newRows);
            rows = newRows;
        }
    }
}
