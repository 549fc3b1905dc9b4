package io.latentflow.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Pearlmutter's R-operator (<a href="https://doi.org/10.1162/neco.1994.6.1.147">Fast exact
 * multiplication by the Hessian</a>) through one {@link FeedForwardNetwork} at its current
 * parameters on one input, as a building block: the network may sit inside a larger computation, so
 * its input may itself move along the direction and the loss above its output is whatever the
 * caller says it is.
 *
 * <p>With R{.} = d/dr (.)(theta + r v) at r = 0: {@link #forward} pushes an input tangent R x and a
 * direction V on the network's own parameters (either may be absent) through the layers, z = h W +
 * b giving R z = R h W + h V + Vb and R h = phi'(z) R z, up to R y at the output. {@link #backward}
 * is the ordinary backward pass from an upstream gradient dL/dy; {@link #backwardTangent} is its
 * directional derivative, from the upstream pair (dL/dy, R{dL/dy}): at the output R d = sigma''(a)
 * R a dL/dy + sigma'(a) R{dL/dy}, then per layer R dW = R h^T d + h^T R d, R db = 1^T R d and R
 * d_prev = phi'(z_prev) (R d W^T + d V^T), down to R{dL/dx} = R d_0 W_0^T + d_0 V_0^T. LeakyReLU's
 * second derivative is zero wherever it exists, so R phi'(z) = 0; the sigmoid output's is not and
 * is kept.
 *
 * <p>Composing passes gives curvature products through several networks, as a generator's cost
 * needs through a frozen discriminator: the discriminator's forward pass takes the generator's R y
 * as its input tangent, and its backward tangent's R{dL/dx} is the generator's upstream pair.
 *
 * <p>The activations are computed when the instance is made; the backward passes read the network's
 * weights live, so they must be where they were then. Instances are not thread-safe.
 */
public final class ROperatorPass {
    private final FeedForwardNetwork network;
    private final int layerCount;
    private final int rows;

    /** layerInputs[l] is the input of layer l: the input for l = 0, a hidden activation after. */
    private final INDArray[] layerInputs;

    /** slopes[l] is phi'(z_l) for hidden layer l. */
    private final INDArray[] slopes;

    private final INDArray outputAffine;
    private final INDArray output;
    private final INDArray ones;

    /**
     * Runs the network's forward pass at its current parameters.
     *
     * @param network the network, whose weights must not change while this instance is used
     * @param input [rows, input width], of the network's data type; kept, not copied
     */
    public ROperatorPass(FeedForwardNetwork network, INDArray input) {
        int[] widths = network.widths();
        checkShape("input", input, widths[0], network);
        this.network = network;
        this.layerCount = network.layerCount();
        this.rows = Math.toIntExact(input.rows());
        this.ones = Nd4j.ones(network.dataType(), 1, rows);
        this.layerInputs = new INDArray[layerCount];
        this.slopes = new INDArray[layerCount - 1];
        layerInputs[0] = input;
        for (int l = 0; l + 1 < layerCount; l++) {
            DenseLayer layer = network.layer(l);
            INDArray hidden = Nd4j.create(network.dataType(), rows, layer.outputs());
            layer.forward(layerInputs[l], hidden);
            Nd4j.exec(new LeakyReLU(hidden, hidden, network.leakySlope()));
            slopes[l] = Nd4j.create(network.dataType(), rows, layer.outputs());
            Nd4j.exec(new LeakyReLUDerivative(hidden, slopes[l], network.leakySlope()));
            layerInputs[l + 1] = hidden;
        }
        DenseLayer last = network.layer(layerCount - 1);
        this.outputAffine = Nd4j.create(network.dataType(), rows, last.outputs());
        last.forward(layerInputs[layerCount - 1], outputAffine);
        this.output = sigmoidOutput() ? outputAffine.dup() : outputAffine;
        if (sigmoidOutput()) {
            Nd4j.exec(new Sigmoid(outputAffine, output));
        }
    }

    static void checkShape(String name, INDArray array, int columns, FeedForwardNetwork network) {
        if (array.rank() != 2 || array.columns() != columns) {
            throw new IllegalArgumentException(
                    name + " must be [rows, " + columns + "], not " + array.shapeInfoToString());
        }
        if (array.dataType() != network.dataType()) {
            throw new IllegalArgumentException(
                    name + " must be " + network.dataType() + ", not " + array.dataType());
        }
    }

    private boolean sigmoidOutput() {
        return network.outputActivation() == OutputActivation.SIGMOID;
    }

    /** Returns the network's output y on the input; not to be modified. */
    public INDArray output() {
        return output;
    }

    /** Returns the number of rows of the input. */
    public int rows() {
        return rows;
    }

    /** What one backward pass, plain or directional, produced. */
    public static final class Backward {
        private final INDArray[] deltas;
        private final INDArray parameterGradient;
        private final INDArray inputGradient;

        private Backward(INDArray[] deltas, INDArray parameterGradient, INDArray inputGradient) {
            this.deltas = deltas;
            this.parameterGradient = parameterGradient;
            this.inputGradient = inputGradient;
        }

        /**
         * Returns the gradient (or its R) with respect to the flat parameters, laid out like the
         * network's, or null when it was not asked for.
         */
        public INDArray parameterGradient() {
            return parameterGradient;
        }

        /** Returns the gradient (or its R) with respect to the input, or null if not asked for. */
        public INDArray inputGradient() {
            return inputGradient;
        }
    }

    /** The forward R-pass along one direction: R h per layer and R a at the output. */
    public final class Tangent {
        private final DenseLayer[] directionLayers;

        /** R h_l at index l (index 0 the input tangent, maybe null) and R a at layerCount. */
        private final INDArray[] forward;

        private final INDArray outputTangent;

        private Tangent(DenseLayer[] directionLayers, INDArray[] forward) {
            this.directionLayers = directionLayers;
            this.forward = forward;
            INDArray affineR = forward[layerCount];
            this.outputTangent = sigmoidOutput() ? outputToAffine(affineR) : affineR;
        }

        /** Returns R y, the directional derivative of the output; not to be modified. */
        public INDArray outputTangent() {
            return outputTangent;
        }
    }

    /**
     * Pushes R through the forward pass.
     *
     * @param direction V on this network's flat parameters, or null for none (the parameters held
     *     fixed, as a frozen discriminator's are)
     * @param inputTangent R x [rows, input width], or null for a fixed input
     */
    public Tangent forward(INDArray direction, INDArray inputTangent) {
        DenseLayer[] directionLayers = direction == null ? null : layersOver(direction, null);
        if (inputTangent != null) {
            checkShape("input tangent", inputTangent, network.widths()[0], network);
            if (inputTangent.rows() != rows) {
                throw new IllegalArgumentException(
                        "input tangent has " + inputTangent.rows() + " rows, the input " + rows);
            }
        }
        INDArray[] forward = new INDArray[layerCount + 1];
        forward[0] = inputTangent;
        for (int l = 0; l < layerCount; l++) {
            DenseLayer layer = network.layer(l);
            INDArray affineR = Nd4j.zeros(network.dataType(), rows, layer.outputs());
            // R z = h V + Vb + R h W
            if (directionLayers != null) {
                directionLayers[l].forward(layerInputs[l], affineR);
            }
            if (forward[l] != null) {
                Nd4j.gemm(forward[l], layer.weight(), affineR, false, false, 1, 1);
            }
            forward[l + 1] = l + 1 < layerCount ? affineR.muli(slopes[l]) : affineR;
        }
        return new Tangent(directionLayers, forward);
    }

    /**
     * The ordinary backward pass from dL/dy at the output.
     *
     * @param outputGradient [rows, output width]; not modified
     * @param target which gradients to return; the deltas are always kept for {@link
     *     #backwardTangent}
     */
    public Backward backward(INDArray outputGradient, GradientTarget target) {
        checkShape("output gradient", outputGradient, output.columns(), network);
        INDArray into =
                target.parameters()
                        ? Nd4j.zeros(network.dataType(), network.parameterCount())
                        : null;
        DenseLayer[] gradientLayers =
                target.parameters() ? layersOver(network.parameters(), into) : null;
        INDArray[] deltas = new INDArray[layerCount];
        INDArray delta = outputToAffine(outputGradient);
        INDArray inputGradient = null;
        for (int l = layerCount - 1; l >= 0; l--) {
            deltas[l] = delta;
            if (gradientLayers != null) {
                gradientLayers[l].backwardParameters(layerInputs[l], delta, ones);
            }
            if (l > 0 || target.input()) {
                INDArray previous =
                        Nd4j.create(network.dataType(), rows, network.layer(l).inputs());
                network.layer(l).backwardInput(delta, previous);
                if (l > 0) {
                    delta = previous.muli(slopes[l - 1]);
                } else {
                    inputGradient = previous;
                }
            }
        }
        return new Backward(deltas, into, inputGradient);
    }

    /**
     * The directional derivative of {@link #backward} along the tangent's direction.
     *
     * @param tangent the forward R-pass along the direction
     * @param gradient the plain backward pass from the same outputGradient
     * @param outputGradient dL/dy, as given to {@link #backward}
     * @param outputGradientTangent R{dL/dy} [rows, output width]
     * @param target which to return: R of the parameter gradient (H v for this network's block when
     *     this network's own loss is the whole objective) and R{dL/dx}
     */
    public Backward backwardTangent(
            Tangent tangent,
            Backward gradient,
            INDArray outputGradient,
            INDArray outputGradientTangent,
            GradientTarget target) {
        checkShape("output gradient tangent", outputGradientTangent, output.columns(), network);
        INDArray[] forward = tangent.forward;
        DenseLayer[] directionLayers = tangent.directionLayers;
        INDArray result =
                target.parameters()
                        ? Nd4j.zeros(network.dataType(), network.parameterCount())
                        : null;
        DenseLayer[] resultLayers =
                target.parameters() ? layersOver(network.parameters(), result) : null;

        // R(dL/da) = sigma''(a) R a dL/dy + sigma'(a) R(dL/dy)
        INDArray deltaR = outputToAffine(outputGradientTangent);
        if (sigmoidOutput()) {
            INDArray secondDerivative = output.rsub(1.0).muli(output).muli(output.mul(-2).addi(1));
            deltaR.addi(secondDerivative.muli(forward[layerCount]).muli(outputGradient));
        }

        INDArray inputGradientR = null;
        for (int l = layerCount - 1; l >= 0; l--) {
            DenseLayer layer = network.layer(l);
            INDArray delta = gradient.deltas[l];
            if (resultLayers != null) {
                // R dW = R h^T d + h^T R d; R db = 1^T R d.
                INDArray weightR = resultLayers[l].weightGradient();
                Nd4j.gemm(layerInputs[l], deltaR, weightR, true, false, 1, 0);
                if (forward[l] != null) {
                    Nd4j.gemm(forward[l], delta, weightR, true, false, 1, 1);
                }
                Nd4j.gemm(ones, deltaR, resultLayers[l].biasGradientRow(), false, false, 1, 0);
            }
            if (l > 0 || target.input()) {
                // R d_prev = phi'(z_prev) (R d W^T + d V^T)
                INDArray previous = Nd4j.create(network.dataType(), rows, layer.inputs());
                Nd4j.gemm(deltaR, layer.weight(), previous, false, true, 1, 0);
                if (directionLayers != null) {
                    Nd4j.gemm(delta, directionLayers[l].weight(), previous, false, true, 1, 1);
                }
                if (l > 0) {
                    deltaR = previous.muli(slopes[l - 1]);
                } else {
                    inputGradientR = previous;
                }
            }
        }
        return new Backward(null, result, inputGradientR);
    }

    /** Multiplies a gradient or direction at the output by sigma'(a), or copies it. */
    private INDArray outputToAffine(INDArray atOutput) {
        if (!sigmoidOutput()) {
            return atOutput.dup();
        }
        return output.rsub(1.0).muli(output).muli(atOutput);
    }

    /**
     * Layers whose weights are views of values and whose gradients are views of gradients, or of
     * the values again when gradients is null.
     */
    private DenseLayer[] layersOver(INDArray values, INDArray gradients) {
        if (values.length() != network.parameterCount()
                || values.dataType() != network.dataType()) {
            throw new IllegalArgumentException(
                    "direction must hold "
                            + network.parameterCount()
                            + " "
                            + network.dataType()
                            + " entries, not "
                            + values.length()
                            + " "
                            + values.dataType());
        }
        INDArray flatValues = values.isView() || values.rank() != 1 ? values.dup() : values;
        // A direction's layers are only read; their gradient views then alias the values.
        INDArray flatGradients = gradients != null ? gradients : flatValues;
        DenseLayer[] result = new DenseLayer[layerCount];
        long offset = 0;
        for (int l = 0; l < layerCount; l++) {
            DenseLayer layer = network.layer(l);
            result[l] =
                    new DenseLayer(
                            layer.inputs(), layer.outputs(), flatValues, flatGradients, offset);
            offset += DenseLayer.parameterCount(layer.inputs(), layer.outputs());
        }
        return result;
    }
}
