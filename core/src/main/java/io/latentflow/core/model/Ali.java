package io.latentflow.core.model;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.GradientTarget;
import io.latentflow.core.nn.OutputActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Adversarially learned inference (ALI) of Dumoulin et al. (<a
 * href="https://arxiv.org/abs/1606.00704">arXiv:1606.00704</a>) with multilayer-perceptron
 * networks: a generator G maps a prior code z to data, a stochastic encoder E maps data x to a
 * Gaussian code z_hat = mu(x) + exp(log sigma(x)) * eps, and a discriminator D scores joint pairs
 * (x, z) with one logit, learning to tell encoder pairs (x, z_hat) from generator pairs (G(z), z).
 *
 * <p>The generator and encoder minimize the {@link GeneratorCost} over both kinds of pairs. The
 * generator's output passes through a sigmoid so that it lies in (0, 1) like the data.
 */
public final class Ali extends AdversarialModel {
    private final FeedForwardNetwork generator;
    private final FeedForwardNetwork encoder;
    private final FeedForwardNetwork discriminator;
    private final StepBuffers buffers = new StepBuffers();

    Ali(AdversarialConfig config, DataType dataType) {
        super(config, dataType);
        int data = config.dataDim();
        int latent = config.latentDim();
        this.generator = addNetwork(GENERATOR, latent, data, OutputActivation.SIGMOID);
        this.encoder = addNetwork(ENCODER, data, 2 * latent, OutputActivation.IDENTITY);
        this.discriminator = addNetwork(DISCRIMINATOR, data + latent, 1, OutputActivation.IDENTITY);
    }

    @Override
    public int discriminatorInputs() {
        return config.dataDim() + config.latentDim();
    }

    @Override
    AdversarialStepResult computeGradients(AdversarialBatch batch, GeneratorCost cost) {
        int size = checkBatch(batch, true);
        INDArray data = inDataType(batch.data());
        INDArray priorCode = inDataType(batch.prior());
        INDArray encoderNoise = inDataType(batch.encoderNoise());
        buffers.ensureBatch(size);

        // z_hat = mu + exp(log sigma) * eps; the encoder pair (x, z_hat) fills the first B rows
        // of the discriminator's input and the generator pair (G(z), z) the last B rows.
        INDArray encoded = encoder.forward(data);
        INDArray mean = encoded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent()));
        INDArray logSigma =
                encoded.get(NDArrayIndex.all(), NDArrayIndex.interval(latent(), 2 * latent()));
        Nd4j.exec(new Exp(logSigma, buffers.scaledNoise));
        buffers.scaledNoise.muli(encoderNoise);
        mean.add(buffers.scaledNoise, buffers.realCode);
        buffers.realData.assign(data);
        buffers.fakeData.assign(generator.forward(priorCode));
        buffers.fakeCode.assign(priorCode);
        if (batch.instanceNoise() != null) {
            buffers.discriminatorInput.addi(inDataType(batch.instanceNoise()));
        }

        INDArray logits = discriminator.forward(buffers.discriminatorInput);
        AdversarialObjective objective =
                new AdversarialObjective(logits.toDoubleVector(), cost, true);

        long[] logitShape = {2L * size, 1};
        discriminator.backward(
                Nd4j.create(objective.discriminatorLogitGradient, logitShape, dataType),
                GradientTarget.PARAMETERS);
        INDArray inputGradient =
                discriminator.backward(
                        Nd4j.create(objective.generatorLogitGradient, logitShape, dataType),
                        GradientTarget.INPUT);

        // Instance noise is added, so it passes the gradient with respect to D's input unchanged.
        // dL/dmu = dL/dz_hat and dL/d(log sigma) = dL/dz_hat * exp(log sigma) * eps
        INDArray codeGradient =
                inputGradient.get(
                        NDArrayIndex.interval(0, size),
                        NDArrayIndex.interval(dataDim(), dataDim() + latent()));
        buffers.meanGradient.assign(codeGradient);
        codeGradient.mul(buffers.scaledNoise, buffers.logSigmaGradient);
        encoder.backward(buffers.encoderOutputGradient, GradientTarget.PARAMETERS);

        INDArray generatedGradient =
                inputGradient.get(
                        NDArrayIndex.interval(size, 2 * size), NDArrayIndex.interval(0, dataDim()));
        generator.backward(generatedGradient, GradientTarget.PARAMETERS);

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
                encoder.gradient().norm2Number().doubleValue(),
                false);
    }

    /** Returns the encoder's mean code mu(x) [B, latentDim] of each row of x. */
    public INDArray encodeMean(INDArray x) {
        checkMatrix("x", x, dataDim());
        INDArray encoded = encoder.infer(inDataType(x));
        return encoded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent())).dup('c');
    }

    /** Returns sigmoid(G(mu(x))) [B, dataDim], decoding the encoder's mean code of each row. */
    public INDArray reconstruct(INDArray x) {
        return generator.infer(encodeMean(x));
    }

    /** Returns the mean over batch and features of (sigmoid(G(mu(x))) - x)^2. */
    public double reconstructionError(INDArray x) {
        INDArray reconstruction = reconstruct(x);
        return reconstruction.squaredDistance(inDataType(x)) / reconstruction.length();
    }

    private int dataDim() {
        return config.dataDim();
    }

    private int latent() {
        return config.latentDim();
    }

    /**
     * Per-step arrays reused while the batch size stays the same, with the views into them that the
     * forward and backward passes write through.
     */
    private final class StepBuffers {
        private int batch = -1;
        private INDArray discriminatorInput;
        private INDArray realData;
        private INDArray realCode;
        private INDArray fakeData;
        private INDArray fakeCode;
        private INDArray scaledNoise;
        private INDArray encoderOutputGradient;
        private INDArray meanGradient;
        private INDArray logSigmaGradient;

        private void ensureBatch(int newBatch) {
            if (newBatch == batch) {
                return;
            }
            int data = dataDim();
            int latent = latent();
            discriminatorInput = Nd4j.create(dataType, 2L * newBatch, data + latent);
            realData = block(discriminatorInput, 0, newBatch, 0, data);
            realCode = block(discriminatorInput, 0, newBatch, data, data + latent);
            fakeData = block(discriminatorInput, newBatch, 2 * newBatch, 0, data);
            fakeCode = block(discriminatorInput, newBatch, 2 * newBatch, data, data + latent);
            scaledNoise = Nd4j.create(dataType, newBatch, latent);
            encoderOutputGradient = Nd4j.create(dataType, newBatch, 2L * latent);
            meanGradient = block(encoderOutputGradient, 0, newBatch, 0, latent);
            logSigmaGradient = block(encoderOutputGradient, 0, newBatch, latent, 2 * latent);
            batch = newBatch;
        }
    }

    static INDArray block(INDArray array, int rowStart, int rowEnd, int colStart, int colEnd) {
        return array.get(
                NDArrayIndex.interval(rowStart, rowEnd), NDArrayIndex.interval(colStart, colEnd));
    }
}
