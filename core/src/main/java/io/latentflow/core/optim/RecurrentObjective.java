package io.latentflow.core.optim;

import io.latentflow.core.recurrent.RecurrentCurvature;
import io.latentflow.core.recurrent.RecurrentNetwork;
import io.latentflow.core.recurrent.SequenceBatch;
import io.latentflow.core.recurrent.SequenceLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@link SecondOrderObjective} of a {@link RecurrentNetwork} on one Hessian-free step's
 * sequences: the loss, the gradient and the line search on a gradient batch, and the curvature
 * products ({@link RecurrentNetwork#curvature}) on a curvature batch, which the trainers take as
 * the gradient batch's first sequences, as the autoencoder's does with rows.
 *
 * <p>The network keeps its parameters in a Java array, the optimizer works on an {@link INDArray}:
 * {@link #parameters()} is a float64 copy that the optimizer updates in place, written into the
 * network before every loss, gradient and curvature, and by {@link #copyToNetwork()} after the
 * step.
 */
public final class RecurrentObjective implements SecondOrderObjective {
    private final RecurrentNetwork network;
    private final SequenceBatch gradientBatch;
    private final SequenceLoss gradientLoss;
    private final SequenceBatch curvatureBatch;
    private final SequenceLoss curvatureLoss;
    private final INDArray parameters;

    /**
     * Creates the objective of one step.
     *
     * @param network the network whose parameters are optimised
     * @param gradientBatch sequences for the loss and gradient, with their loss
     * @param curvatureBatch sequences for the curvature products, with their loss
     */
    public RecurrentObjective(
            RecurrentNetwork network,
            SequenceBatch gradientBatch,
            SequenceLoss gradientLoss,
            SequenceBatch curvatureBatch,
            SequenceLoss curvatureLoss) {
        if (gradientBatch.timeSteps() != curvatureBatch.timeSteps()
                || gradientBatch.inputSize() != curvatureBatch.inputSize()) {
            throw new IllegalArgumentException(
                    "the curvature batch must have the gradient batch's length and input size: T = "
                            + curvatureBatch.timeSteps()
                            + " and "
                            + gradientBatch.timeSteps()
                            + ", inputs "
                            + curvatureBatch.inputSize()
                            + " and "
                            + gradientBatch.inputSize());
        }
        this.network = network;
        this.gradientBatch = gradientBatch;
        this.gradientLoss = gradientLoss;
        this.curvatureBatch = curvatureBatch;
        this.curvatureLoss = curvatureLoss;
        this.parameters = Nd4j.createFromArray(network.parameters().clone());
    }

    @Override
    public INDArray parameters() {
        return parameters;
    }

    /** Writes the optimizer's parameters into the network; call after the step. */
    public void copyToNetwork() {
        double[] values = parameters.toDoubleVector();
        System.arraycopy(values, 0, network.parameters(), 0, values.length);
    }

    @Override
    public double loss() {
        copyToNetwork();
        double[] outputs = network.outputs(gradientBatch);
        return gradientLoss.evaluate(
                outputs,
                gradientBatch.timeSteps(),
                gradientBatch.batchSize(),
                outputs.length / gradientBatch.rows(),
                new double[outputs.length]);
    }

    @Override
    public INDArray gradient() {
        copyToNetwork();
        double[] gradient = new double[network.parameters().length];
        network.lossAndGradient(gradientBatch, gradientLoss, gradient, null);
        return Nd4j.createFromArray(gradient);
    }

    @Override
    public Curvature curvature() {
        copyToNetwork();
        RecurrentCurvature curvature = network.curvature(curvatureBatch, curvatureLoss);
        return new Curvature() {
            @Override
            public INDArray hessianTimes(INDArray direction) {
                double[] product = new double[Math.toIntExact(direction.length())];
                curvature.hessianTimes(direction.toDoubleVector(), product);
                return Nd4j.createFromArray(product);
            }

            @Override
            public INDArray gaussNewtonTimes(INDArray direction) {
                double[] product = new double[Math.toIntExact(direction.length())];
                curvature.gaussNewtonTimes(direction.toDoubleVector(), product);
                return Nd4j.createFromArray(product);
            }
        };
    }
}
