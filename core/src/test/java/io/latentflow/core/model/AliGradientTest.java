package io.latentflow.core.model;

import io.latentflow.core.nn.CentralDifference;
import io.latentflow.core.nn.FeedForwardNetwork;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float64 central-difference checks of the gradients {@link Ali} computes: L_D with respect to
 * every discriminator parameter, L_GE with respect to every generator and encoder parameter, with
 * the encoder's noise held fixed.
 */
class AliGradientTest {
    private static final AliConfig SMALL = new AliConfig(6, 3, 5, 2, 0.2, 2e-4, 0.5, 0.999);
    private static final int BATCH = 4;

    private Ali model;
    private INDArray x;
    private INDArray prior;
    private INDArray noise;

    @BeforeEach
    void createModelAndBatch() {
        model = Ali.initialize(SMALL, 21, DataType.DOUBLE);
        SplittableRandom random = new SplittableRandom(22);
        x = matrix(random, BATCH, SMALL.dataDim(), false);
        prior = matrix(random, BATCH, SMALL.latentDim(), true);
        noise = matrix(random, BATCH, SMALL.latentDim(), true);
    }

    private static INDArray matrix(SplittableRandom random, int rows, int columns, boolean normal) {
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

    private void checkGradient(String networkName, boolean discriminatorLoss) {
        model.computeGradients(x, prior, noise);
        FeedForwardNetwork network = model.network(networkName);
        INDArray analytic = network.gradient().dup();

        CentralDifference.assertGradientMatches(
                networkName,
                network.parameters(),
                analytic,
                () -> {
                    AliStepResult result = model.computeGradients(x, prior, noise);
                    return discriminatorLoss ? result.discriminatorLoss() : result.generatorLoss();
                });
    }

    @Test
    void discriminatorGradientMatchesCentralDifferencesOfDiscriminatorLoss() {
        checkGradient("discriminator", true);
    }

    @Test
    void generatorGradientMatchesCentralDifferencesOfGeneratorEncoderLoss() {
        checkGradient("generator", false);
    }

    @Test
    void encoderGradientMatchesCentralDifferencesOfGeneratorEncoderLoss() {
        checkGradient("encoder", false);
    }
}
