package io.latentflow.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A discriminator trained against a frozen generator approaches D*(x) = p_r(x) / (p_r(x) + p_g(x)),
 * the optimum of Goodfellow et al.'s proposition 1 that Arjovsky and Bottou's analysis starts from.
 *
 * <p>Both distributions are logit-normal on (0, 1): real x = sigmoid(u) with u ~ N(-1, 1), and the
 * generator is set to G(z) = sigmoid(z + 1), so u ~ N(1, 1). The Jacobians cancel in the ratio, and
 * D*(x) = sigmoid(-2 logit(x)).
 */
class OptimalDiscriminatorTest {
    private static final int BATCH = 256;
    private static final int ITERATIONS = 3000;
    private static final double TOLERANCE = 0.05;

    @Test
    void aTrainedDiscriminatorApproachesTheDensityRatio() {
        AdversarialConfig config =
                new AdversarialConfig(
                        ModelKind.GAN, 1, 1, 32, 2, 0.2, 1e-3, 0.5, 0.999, GeneratorCost.MINIMAX);
        AdversarialModel model = AdversarialModel.fromParameters(config, shiftedSigmoidGenerator());
        model.reinitializeDiscriminator(3);

        SplittableRandom random = new SplittableRandom(4);
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            float[] real = new float[BATCH];
            float[] prior = new float[BATCH];
            for (int i = 0; i < BATCH; i++) {
                real[i] = (float) sigmoid(-1 + random.nextGaussian());
                prior[i] = (float) random.nextGaussian();
            }
            model.trainDiscriminator(AdversarialBatch.of(column(real), column(prior), null));
        }

        for (double u = -1.5; u <= 1.5; u += 0.5) {
            INDArray x = column(new float[] {(float) sigmoid(u)});
            double logit = model.network("discriminator").infer(x).getDouble(0);
            assertEquals(sigmoid(-2 * u), sigmoid(logit), TOLERANCE, "at logit(x) = " + u);
        }
    }

    /**
     * Generator weights that pass z through one unit of each hidden layer with an offset of 10,
     * which keeps LeakyReLU on its identity side for any plausible z, so that G(z) = sigmoid(z +
     * 1).
     */
    private static Map<String, float[]> shiftedSigmoidGenerator() {
        int hidden = 32;
        float[] generator =
                new float[(hidden + hidden) + (hidden * hidden + hidden) + (hidden + 1)];
        int layer0 = 0;
        generator[layer0] = 1; // W0[0][0]
        generator[layer0 + hidden] = 10; // b0[0]
        int layer1 = 2 * hidden;
        generator[layer1] = 1; // W1[0][0]
        int layer2 = layer1 + hidden * hidden + hidden;
        generator[layer2] = 1; // W2[0][0]
        generator[layer2 + hidden] = 1 - 10; // b2
        Map<String, float[]> parameters = new HashMap<>();
        parameters.put("generator", generator);
        parameters.put(
                "discriminator",
                new float[(hidden + hidden) + (hidden * hidden + hidden) + (hidden + 1)]);
        return parameters;
    }

    private static INDArray column(float[] values) {
        return Nd4j.create(values, new long[] {values.length, 1}, DataType.FLOAT);
    }

    private static double sigmoid(double t) {
        return 1 / (1 + Math.exp(-t));
    }
}
