package io.latentflow.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact products of a loss's curvature with a direction, for a {@link FeedForwardNetwork} at its
 * current parameters on one batch, by Pearlmutter's R-operator (<a
 * href="https://doi.org/10.1162/neco.1994.6.1.147">Fast exact multiplication by the Hessian</a>):
 * the directional derivative R{.} = d/dr (.)(theta + r v) at r = 0 is pushed forward through the
 * forward pass and then through the backward pass, forward-over-reverse, so that H v costs about
 * two gradients and the Hessian is never formed.
 *
 * <p>The passes are {@link ROperatorPass}'s, with the input fixed and the upstream pair at the
 * output given by the loss: dL/dy and R{dL/dy} = (d2L/dy2) R y. For a layer z = h W + b with h =
 * phi(z_prev) the forward pass gives R z = R h W + h V + Vb and R h = phi'(z) R z, where V and Vb
 * are the direction's entries for W and b. The backward pass, with d the gradient with respect to
 * z, gives R dW = R h^T d + h^T R d, R db = 1^T R d, and R d_prev = phi'(z_prev) (R d W^T + d V^T);
 * LeakyReLU's second derivative is zero wherever it exists. At the output, R d = sigma''(a) R a
 * dL/dy + sigma'(a) (d2L/dy2) R y.
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
    private final OutputLoss loss;
    private final INDArray target;
    private final ROperatorPass pass;
    private final INDArray output;
    private final INDArray outputGradient;
    private final ROperatorPass.Backward backward;
    private final double lossValue;
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
        ROperatorPass.checkShape("input", input, widths[0], network);
        ROperatorPass.checkShape("target", target, widths[widths.length - 1], network);
        if (input.rows() != target.rows()) {
            throw new IllegalArgumentException(
                    "input has " + input.rows() + " rows but target has " + target.rows());
        }
        this.loss = loss;
        this.target = target;
        this.pass = new ROperatorPass(network, input);
        this.output = pass.output();
        this.lossValue = loss.value(output, target);
        this.outputGradient = loss.gradient(output, target);
        this.backward = pass.backward(outputGradient, GradientTarget.PARAMETERS);
    }

    /** Returns the loss at the parameters and batch this instance was made with. */
    public double loss() {
        return lossValue;
    }

    /** Returns a copy of the gradient of the loss with respect to the flat parameters. */
    public INDArray gradient() {
        return backward.parameterGradient().dup();
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
        ROperatorPass.Tangent tangent = pass.forward(direction, null);
        INDArray outputGradientR = loss.curvatureTimes(output, target, tangent.outputTangent());
        INDArray result =
                pass.backwardTangent(
                                tangent,
                                backward,
                                outputGradient,
                                outputGradientR,
                                GradientTarget.PARAMETERS)
                        .parameterGradient();
        productCount++;
        return result;
    }

    /**
     * Returns G v, the Gauss-Newton matrix J^T (d2L/dy2) J of the loss times v.
     *
     * @param direction flat vector of the network's parameter count and data type; not modified
     */
    public INDArray gaussNewtonTimes(INDArray direction) {
        ROperatorPass.Tangent tangent = pass.forward(direction, null);
        INDArray curvature = loss.curvatureTimes(output, target, tangent.outputTangent());
        INDArray result = pass.backward(curvature, GradientTarget.PARAMETERS).parameterGradient();
        productCount++;
        return result;
    }
}
