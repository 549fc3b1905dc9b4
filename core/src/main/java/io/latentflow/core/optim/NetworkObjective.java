package io.latentflow.core.optim;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.GradientTarget;
import io.latentflow.core.nn.HessianVectorProduct;
import io.latentflow.core.nn.OutputLoss;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@link SecondOrderObjective} of a {@link FeedForwardNetwork} under an {@link OutputLoss}, on
 * batches that the caller replaces at each step, as a stream delivers them.
 */
public final class NetworkObjective implements SecondOrderObjective {
    private final FeedForwardNetwork network;
    private final OutputLoss loss;
    private INDArray gradientInput;
    private INDArray gradientTarget;
    private INDArray curvatureInput;
    private INDArray curvatureTarget;

    /**
     * Creates the objective with its first batches.
     *
     * @param network the network whose parameters are optimised
     * @param loss the loss of the network's output against the target
     * @param gradientInput rows for the loss and gradient
     * @param gradientTarget their targets
     * @param curvatureInput rows for the curvature products
     * @param curvatureTarget their targets
     */
    public NetworkObjective(
            FeedForwardNetwork network,
            OutputLoss loss,
            INDArray gradientInput,
            INDArray gradientTarget,
            INDArray curvatureInput,
            INDArray curvatureTarget) {
        this.network = network;
        this.loss = loss;
        setBatches(gradientInput, gradientTarget, curvatureInput, curvatureTarget);
    }

    /** Replaces the gradient and curvature batches. */
    public void setBatches(
            INDArray gradientInput,
            INDArray gradientTarget,
            INDArray curvatureInput,
            INDArray curvatureTarget) {
        if (gradientInput.rows() != gradientTarget.rows()
                || curvatureInput.rows() != curvatureTarget.rows()) {
            throw new IllegalArgumentException("each batch needs as many targets as inputs");
        }
        this.gradientInput = gradientInput;
        this.gradientTarget = gradientTarget;
        this.curvatureInput = curvatureInput;
        this.curvatureTarget = curvatureTarget;
    }

    @Override
    public INDArray parameters() {
        return network.parameters();
    }

    @Override
    public double loss() {
        return loss.value(network.infer(gradientInput), gradientTarget);
    }

    @Override
    public INDArray gradient() {
        INDArray output = network.forward(gradientInput);
        network.backward(loss.gradient(output, gradientTarget), GradientTarget.PARAMETERS);
        return network.gradient().dup();
    }

    @Override
    public Curvature curvature() {
        HessianVectorProduct product =
                new HessianVectorProduct(network, loss, curvatureInput, curvatureTarget);
        return new Curvature() {
            @Override
            public INDArray hessianTimes(INDArray direction) {
                return product.hessianTimes(direction);
            }

            @Override
            public INDArray gaussNewtonTimes(INDArray direction) {
                return product.gaussNewtonTimes(direction);
            }
        };
    }
}
