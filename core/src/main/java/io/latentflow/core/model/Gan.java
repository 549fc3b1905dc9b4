package io.latentflow.core.model;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.GradientTarget;
import io.latentflow.core.nn.OutputActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A generative adversarial network (Goodfellow et al., <a
 * href="https://arxiv.org/abs/1406.2661">arXiv:1406.2661</a>) of multilayer perceptrons: a
 * generator G maps a prior code z to sigmoid outputs in (0, 1), and a discriminator D scores data
 * alone with one logit, learning to tell data x from G(z). The generator minimizes the {@link
 * GeneratorCost} over the generated samples.
 */
public final class Gan extends AdversarialModel {
    private final FeedForwardNetwork generator;
    private final FeedForwardNetwork discriminator;
    private INDArray discriminatorInput;
    private INDArray realData;
    private INDArray fakeData;

    Gan(AdversarialConfig config, DataType dataType) {
        super(config, dataType);
        this.generator =
                addNetwork(
                        GENERATOR, config.latentDim(), config.dataDim(), OutputActivation.SIGMOID);
        this.discriminator =
                addNetwork(DISCRIMINATOR, config.dataDim(), 1, OutputActivation.IDENTITY);
    }

    @Override
    public int discriminatorInputs() {
        return config.dataDim();
    }

    @Override
    AdversarialStepResult computeGradients(AdversarialBatch batch, GeneratorCost cost) {
        int size = checkBatch(batch, false);
        int data = config.dataDim();
        if (discriminatorInput == null || discriminatorInput.rows() != 2L * size) {
            discriminatorInput = Nd4j.create(dataType, 2L * size, data);
            realData = Ali.block(discriminatorInput, 0, size, 0, data);
            fakeData = Ali.block(discriminatorInput, size, 2 * size, 0, data);
        }

        // x fills the first B rows of the discriminator's input and G(z) the last B rows.
        realData.assign(inDataType(batch.data()));
        fakeData.assign(generator.forward(inDataType(batch.prior())));
        if (batch.instanceNoise() != null) {
            discriminatorInput.addi(inDataType(batch.instanceNoise()));
        }

        INDArray logits = discriminator.forward(discriminatorInput);
        AdversarialObjective objective =
                new AdversarialObjective(logits.toDoubleVector(), cost, false);

        long[] logitShape = {2L * size, 1};
        discriminator.backward(
                Nd4j.create(objective.discriminatorLogitGradient, logitShape, dataType),
                GradientTarget.PARAMETERS);
        INDArray inputGradient =
                discriminator.backward(
                        Nd4j.create(objective.generatorLogitGradient, logitShape, dataType),
                        GradientTarget.INPUT);
        generator.backward(
                inputGradient.get(NDArrayIndex.interval(size, 2 * size), NDArrayIndex.all()),
                GradientTarget.PARAMETERS);

        return new AdversarialStepResult(
                objective.discriminatorLoss,
                objective.generatorLoss,
                objective.meanRealScore,
                objective.meanFakeScore,
                objective.discriminatorAccuracy,
                objective.realAccuracy,
                objective.fakeAccuracy,
                discriminator.gradient().norm2Number().doubleValue(),
                generator.gradient().norm2Number().doubleValue(),
                0,
                false);
    }
}
