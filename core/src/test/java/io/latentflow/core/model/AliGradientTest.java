package io.latentflow.core.model;

import io.latentflow.core.nn.CentralDifference;
import io.latentflow.core.nn.FeedForwardNetwork;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float64 central-difference checks of the gradients {@link Ali} and {@link Gan} compute under each
 * {@link GeneratorCost}: L_D with respect to every discriminator parameter, the generator cost with
 * respect to every generator and encoder parameter, with the encoder's noise and the instance noise
 * held fixed.
 */
class AliGradientTest {
    private static final int BATCH = 4;

    static AdversarialConfig small(ModelKind kind, GeneratorCost cost) {
        return new AdversarialConfig(kind, 6, 3, 5, 2, 0.2, 2e-4, 0.5, 0.999, cost);
    }

    static AdversarialBatch batch(AdversarialModel model, boolean instanceNoise) {
        SplittableRandom random = new SplittableRandom(22);
        AdversarialConfig config = model.config();
        return new AdversarialBatch(
                matrix(random, BATCH, config.dataDim(), false),
                matrix(random, BATCH, config.latentDim(), true),
                matrix(random, BATCH, config.latentDim(), true),
                instanceNoise
                        ? matrix(random, 2 * BATCH, model.discriminatorInputs(), true)
                        : null);
    }

    static INDArray matrix(SplittableRandom random, int rows, int columns, boolean normal) {
        double[][] values = new double[rows][columns];
        for (double[] row : values) {
            for (int c = 0; c < columns; c++) {
                row[c] = normal ? gaussian(random) : random.nextDouble();
            }
        }
        return Nd4j.createFromArray(values);
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static void checkGradient(
            ModelKind kind,
            GeneratorCost cost,
            String networkName,
            boolean discriminatorLoss,
            boolean instanceNoise) {
        AdversarialModel model =
                AdversarialModel.initialize(small(kind, cost), 21, DataType.DOUBLE);
        AdversarialBatch batch = batch(model, instanceNoise);
        model.computeGradients(batch, cost);
        FeedForwardNetwork network = model.network(networkName);
        INDArray analytic = network.gradient().dup();

        CentralDifference.assertGradientMatches(
                kind + " " + cost + " " + networkName,
                network.parameters(),
                analytic,
                () -> {
                    AdversarialStepResult result = model.computeGradients(batch, cost);
                    return discriminatorLoss ? result.discriminatorLoss() : result.generatorLoss();
                });
    }

    @ParameterizedTest
    @EnumSource(GeneratorCost.class)
    void aliDiscriminatorGradientMatchesCentralDifferencesOfDiscriminatorLoss(GeneratorCost cost) {
        checkGradient(ModelKind.ALI, cost, "discriminator", true, false);
    }

    @ParameterizedTest
    @EnumSource(GeneratorCost.class)
    void aliGeneratorGradientMatchesCentralDifferencesOfTheCost(GeneratorCost cost) {
        checkGradient(ModelKind.ALI, cost, "generator", false, false);
    }

    @ParameterizedTest
    @EnumSource(GeneratorCost.class)
    void aliEncoderGradientMatchesCentralDifferencesOfTheCost(GeneratorCost cost) {
        checkGradient(ModelKind.ALI, cost, "encoder", false, false);
    }

    @ParameterizedTest
    @EnumSource(GeneratorCost.class)
    void aliGradientsWithInstanceNoiseMatchCentralDifferences(GeneratorCost cost) {
        checkGradient(ModelKind.ALI, cost, "encoder", false, true);
        checkGradient(ModelKind.ALI, cost, "generator", false, true);
        checkGradient(ModelKind.ALI, cost, "discriminator", true, true);
    }

    @ParameterizedTest
    @EnumSource(GeneratorCost.class)
    void ganDiscriminatorGradientMatchesCentralDifferencesOfDiscriminatorLoss(GeneratorCost cost) {
        checkGradient(ModelKind.GAN, cost, "discriminator", true, false);
        checkGradient(ModelKind.GAN, cost, "discriminator", true, true);
    }

    @ParameterizedTest
    @EnumSource(GeneratorCost.class)
    void ganGeneratorGradientMatchesCentralDifferencesOfTheCost(GeneratorCost cost) {
        checkGradient(ModelKind.GAN, cost, "generator", false, false);
        checkGradient(ModelKind.GAN, cost, "generator", false, true);
    }
}
