package io.latentflow.core.recurrent;

import io.latentflow.core.optim.SecondOrderObjective;
import io.latentflow.core.tasks.TaskBatch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@link SecondOrderObjective} of an LSTM on a gradient batch and a curvature batch, for the
 * experiments in this folder only: the pipeline's adapter for recurrent networks lives in main
 * code. The optimizer moves an ND4J copy of the parameters; every call copies it into the network
 * first. Counts what it is asked for, so that runs can be compared by cost.
 */
final class LongShortTermMemoryObjective implements SecondOrderObjective {
    private final LongShortTermMemory network;
    private final INDArray parameters;
    private TaskBatch gradientBatch;
    private TaskBatch curvatureBatch;
    private long losses;
    private long gradients;
    private long products;

    LongShortTermMemoryObjective(LongShortTermMemory network) {
        this.network = network;
        this.parameters = Nd4j.createFromArray(network.parameters().clone());
        if (parameters.dataType() != DataType.DOUBLE) {
            throw new IllegalStateException("the LSTM's parameters are float64");
        }
    }

    /** Replaces the batches for the next step. */
    void setBatches(TaskBatch gradientBatch, TaskBatch curvatureBatch) {
        this.gradientBatch = gradientBatch;
        this.curvatureBatch = curvatureBatch;
    }

    long losses() {
        return losses;
    }

    long gradients() {
        return gradients;
    }

    long products() {
        return products;
    }

    /** Copies the optimizer's parameters into the network. */
    void synchronize() {
        double[] values = parameters.toDoubleVector();
        System.arraycopy(values, 0, network.parameters(), 0, values.length);
    }

    @Override
    public INDArray parameters() {
        return parameters;
    }

    @Override
    public double loss() {
        synchronize();
        losses++;
        return network.loss(gradientBatch.inputs(), gradientBatch.loss());
    }

    @Override
    public INDArray gradient() {
        synchronize();
        gradients++;
        double[] gradient = new double[network.parameters().length];
        network.lossAndGradient(gradientBatch.inputs(), gradientBatch.loss(), gradient, null);
        return Nd4j.createFromArray(gradient);
    }

    @Override
    public Curvature curvature() {
        synchronize();
        RecurrentCurvature curvature =
                network.curvature(curvatureBatch.inputs(), curvatureBatch.loss());
        int size = network.parameters().length;
        return new Curvature() {
            @Override
            public INDArray hessianTimes(INDArray direction) {
                products++;
                double[] product = new double[size];
                curvature.hessianTimes(direction.toDoubleVector(), product);
                return Nd4j.createFromArray(product);
            }

            @Override
            public INDArray gaussNewtonTimes(INDArray direction) {
                products++;
                double[] product = new double[size];
                curvature.gaussNewtonTimes(direction.toDoubleVector(), product);
                return Nd4j.createFromArray(product);
            }
        };
    }
}
