package io.latentflow.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact products of a loss's curvature with a direction, for a {@link FeedForwardNetwork} at its
 * current parameters on one batch, by Pearlmutter's R-operator (<a
 * href="https://doi.org/10.1162/neco.1994.6.1.147">Fast exact multiplication by the Hessian</a>):
 * the directional derivative R{.} = d/dr (.)(theta + r v) at r = 0 is pushed forward through the
 * forward pass and then through the backward pass, forward-over-reverse, so that H v costs about
 * two gradients and the Hessian is never formed.
 *
 * <p>For a layer z = h W + b with h = phi(z_prev) the forward pass gives R z = R h W + h V + Vb and
 * R h = phi'(z) R z, where V and Vb are the direction's entries for W and b. The backward pass,
 * with d the gradient with respect to z, gives R dW = R h^T d + h^T R d, R db = 1^T R d, and R
 * d_prev = phi'(z_prev) (R d W^T + d V^T); LeakyReLU's second derivative is zero wherever it
 * exists. At the output, R d = sigma''(a) R a dL/dy + sigma'(a) (d2L/dy2) R y.
 *
 * <p>The Gauss-Newton product G v = J^T (d2L/dy2) J v, with J the Jacobian of the output with
 * respect to the parameters, uses the forward half of the same pass for J v and an ordinary
 * backward pass for J^T. G is positive semi-definite whenever the loss is convex in the output.
 *
 * <p>The forward and backward activations are computed once, when the instance is made, and reused
 * by every product; changing the network's parameters afterwards leaves them stale. Instances are
 * not thread-safe.
 */
public final class HessianVectorProduct {
    private final FeedForwardNetwork network;
    private final OutputLoss loss;
    private final INDArray target;
    private final int layerCount;
    private final int rows;

    /** layerInputs[l] is the input of layer l: the batch for l = 0, a hidden activation after. */
    private final INDArray[] layerInputs;

    /** slopes[l] is phi'(z_l) for hidden layer l. */
    private final INDArray[] slopes;

    private final INDArray outputAffine;
    private final INDArray output;
    private final INDArray outputGradient;

    /** deltas[l] is dL/dz_l, the gradient with respect to layer l's affine output. */
    private final INDArray[] deltas;

    private final INDArray ones;
    private final double lossValue;
    private final INDArray gradient;
    private long productCount;

    /**
     * Runs the forward and backward passes of the network at its current parameters.
     *
     * @param network the network, whose parameters are read now and must not change while this
     *     instance is used
     * @param loss the loss of the network's output against the target
     * @param input [rows, input width], of the network's data type
     * @param target [rows, output width], of the network's data type
     */
    public HessianVectorProduct(
            FeedForwardNetwork network, OutputLoss loss, INDArray input, INDArray target) {
        int[] widths = network.widths();
        checkShape("input", input, widths[0], network);
        checkShape("target", target, widths[widths.length - 1], network);
        if (input.rows() != target.rows()) {
            throw new IllegalArgumentException(
                    "input has " + input.rows() + " rows but target has " + target.rows());
        }
        this.network = network;
        this.loss = loss;
        this.target = target;
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

        this.lossValue = loss.value(output, target);
        this.outputGradient = loss.gradient(output, target);
        this.deltas = new INDArray[layerCount];
        this.gradient = Nd4j.zeros(network.dataType(), network.parameterCount());
        backpropagate(outputToAffine(outputGradient), deltas, gradient);
    }

    private static void checkShape(
            String name, INDArray array, int columns, FeedForwardNetwork network) {
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

    /** Returns the loss at the parameters and batch this instance was made with. */
    public double loss() {
        return lossValue;
    }

    /** Returns a copy of the gradient of the loss with respect to the flat parameters. */
    public INDArray gradient() {
        return gradient.dup();
    }

    /** Returns the network's output on the batch; not to be modified. */
    public INDArray output() {
        return output;
    }

    /** Returns how many Hessian or Gauss-Newton products this instance has computed. */
    public long productCount() {
        return productCount;
    }

    /**
     * Returns H v, the Hessian of the loss with respect to the flat parameters times v.
     *
     * @param direction flat vector of the network's parameter count and data type; not modified
     */
    public INDArray hessianTimes(INDArray direction) {
        INDArray result = Nd4j.zeros(network.dataType(), network.parameterCount());
        DenseLayer[] directionLayers = layersOver(direction, result);
        INDArray[] forward = forwardDirectional(directionLayers);
        INDArray outputAffineR = forward[layerCount];

        // R(dL/da) = sigma''(a) R a dL/dy + sigma'(a) (d2L/dy2) R y, with R y = sigma'(a) R a.
        INDArray outputR = outputToAffine(outputAffineR);
        INDArray deltaR = outputToAffine(loss.curvatureTimes(output, target, outputR));
        if (sigmoidOutput()) {
            INDArray secondDerivative = output.rsub(1.0).muli(output).muli(output.mul(-2).addi(1));
            deltaR.addi(secondDerivative.muli(outputAffineR).muli(outputGradient));
        }

        for (int l = layerCount - 1; l >= 0; l--) {
            DenseLayer layer = network.layer(l);
            DenseLayer directionLayer = directionLayers[l];
            // R dW = R h^T d + h^T R d; R db = 1^T R d.
            Nd4j.gemm(layerInputs[l], deltaR, directionLayer.weightGradient(), true, false, 1, 0);
            if (l > 0) {
                Nd4j.gemm(
                        forward[l], deltas[l], directionLayer.weightGradient(), true, false, 1, 1);
            }
            Nd4j.gemm(ones, deltaR, directionLayer.biasGradientRow(), false, false, 1, 0);
            if (l > 0) {
                // R d_prev = phi'(z_prev) (R d W^T + d V^T)
                INDArray previous = Nd4j.create(network.dataType(), rows, layer.inputs());
                Nd4j.gemm(deltaR, layer.weight(), previous, false, true, 1, 0);
                Nd4j.gemm(deltas[l], directionLayer.weight(), previous, false, true, 1, 1);
                deltaR = previous.muli(slopes[l - 1]);
            }
        }
        productCount++;
        return result;
    }

    /**
     * Returns G v, the Gauss-Newton matrix J^T (d2L/dy2) J of the loss times v.
     *
     * @param direction flat vector of the network's parameter count and data type; not modified
     */
    public INDArray gaussNewtonTimes(INDArray direction) {
        INDArray result = Nd4j.zeros(network.dataType(), network.parameterCount());
        DenseLayer[] directionLayers = layersOver(direction, result);
        INDArray[] forward = forwardDirectional(directionLayers);
        INDArray outputR = outputToAffine(forward[layerCount]);
        INDArray curvature = loss.curvatureTimes(output, target, outputR);
        backpropagate(outputToAffine(curvature), new INDArray[layerCount], result);
        productCount++;
        return result;
    }

    /**
     * Pushes R through the forward pass. Returns R h_l at index l for l in 1..layerCount-1 (index 0
     * is unused, the input being fixed) and R a, the directional derivative of the last affine
     * output, at index layerCount.
     */
    private INDArray[] forwardDirectional(DenseLayer[] directionLayers) {
        INDArray[] forward = new INDArray[layerCount + 1];
        for (int l = 0; l < layerCount; l++) {
            DenseLayer layer = network.layer(l);
            INDArray affineR = Nd4j.create(network.dataType(), rows, layer.outputs());
            // R z = h V + Vb + R h W
            directionLayers[l].forward(layerInputs[l], affineR);
            if (l > 0) {
                Nd4j.gemm(forward[l], layer.weight(), affineR, false, false, 1, 1);
            }
            forward[l + 1] = l + 1 < layerCount ? affineR.muli(slopes[l]) : affineR;
        }
        return forward;
    }

    /** Multiplies a gradient or direction at the output by sigma'(a), or leaves it as it is. */
    private INDArray outputToAffine(INDArray atOutput) {
        if (!sigmoidOutput()) {
            return atOutput.dup();
        }
        return output.rsub(1.0).muli(output).muli(atOutput);
    }

    /**
     * Backpropagates dL/da from the last affine output, writing each layer's dL/dz into deltas and
     * the parameter gradient into the flat vector into.
     */
    private void backpropagate(INDArray outputDelta, INDArray[] deltaStore, INDArray into) {
        DenseLayer[] gradientLayers = layersOver(network.parameters(), into);
        INDArray delta = outputDelta;
        for (int l = layerCount - 1; l >= 0; l--) {
            deltaStore[l] = delta;
            gradientLayers[l].backwardParameters(layerInputs[l], delta, ones);
            if (l > 0) {
                INDArray previous =
                        Nd4j.create(network.dataType(), rows, network.layer(l).inputs());
                network.layer(l).backwardInput(delta, previous);
                delta = previous.muli(slopes[l - 1]);
            }
        }
    }

    /** Layers whose weights are views of values and whose gradients are views of gradients. */
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
        DenseLayer[] result = new DenseLayer[layerCount];
        long offset = 0;
        for (int l = 0; l < layerCount; l++) {
            DenseLayer layer = network.layer(l);
            result[l] =
                    new DenseLayer(layer.inputs(), layer.outputs(), flatValues, gradients, offset);
            offset += DenseLayer.parameterCount(layer.inputs(), layer.outputs());
        }
        return result;
    }
}
