package io.latentflow.core.model;

import static io.latentflow.core.model.GeneratorCost.sigmoid;
import static io.latentflow.core.model.GeneratorCost.softplus;

/**
 * The adversarial objective evaluated on the discriminator's 2B logits, real pairs first and
 * generated pairs after, with the gradients of both losses with respect to those logits.
 *
 * <p>This runs as a plain loop on the JVM because it touches only 2B numbers, where one ND4J
 * operation would cost more than the whole loop.
 */
final class AdversarialObjective {
    final double discriminatorLoss;
    final double generatorLoss;
    final double meanRealScore;
    final double meanFakeScore;
    final double discriminatorAccuracy;
    final double realAccuracy;
    final double fakeAccuracy;

    /** d(L_D) / d(logit) for each of the 2B logits. */
    final double[] discriminatorLogitGradient;

    /** d(generator cost) / d(logit) for each of the 2B logits. */
    final double[] generatorLogitGradient;

    /**
     * @param logits r_1..r_B for the real pairs, then f_1..f_B for the generated ones
     * @param cost the generator's cost
     * @param realPairsAreTrained whether the real pairs depend on trained parameters (ALI's
     *     encoder), so that the cost includes their terms
     */
    AdversarialObjective(double[] logits, GeneratorCost cost, boolean realPairsAreTrained) {
        int batch = logits.length / 2;
        discriminatorLogitGradient = new double[logits.length];
        generatorLogitGradient = new double[logits.length];

        // Means over the batch of size B, with d softplus(t) / dt = sigmoid(t):
        //   L_D = softplus(-r) + softplus(f),  dL_D/dr = -sigmoid(-r) / B,  dL_D/df = sigmoid(f) /
        // B
        // and the generator cost's terms and derivatives as GeneratorCost defines them.
        double lossD = 0;
        double lossG = 0;
        double realScore = 0;
        double fakeScore = 0;
        int realCorrect = 0;
        int fakeCorrect = 0;
        for (int i = 0; i < batch; i++) {
            double real = logits[i];
            double fake = logits[batch + i];
            lossD += softplus(-real) + softplus(fake);
            lossG += cost.generatedLoss(fake) + (realPairsAreTrained ? cost.encodedLoss(real) : 0);
            double fakeProbability = sigmoid(fake);
            realScore += sigmoid(real);
            fakeScore += fakeProbability;
            realCorrect += real > 0 ? 1 : 0;
            fakeCorrect += fake < 0 ? 1 : 0;

            discriminatorLogitGradient[i] = -sigmoid(-real) / batch;
            discriminatorLogitGradient[batch + i] = fakeProbability / batch;
            generatorLogitGradient[i] =
                    realPairsAreTrained ? cost.encodedGradient(real) / batch : 0;
            generatorLogitGradient[batch + i] = cost.generatedGradient(fake) / batch;
        }
        discriminatorLoss = lossD / batch;
        generatorLoss = lossG / batch;
        meanRealScore = realScore / batch;
        meanFakeScore = fakeScore / batch;
        realAccuracy = realCorrect / (double) batch;
        fakeAccuracy = fakeCorrect / (double) batch;
        discriminatorAccuracy = (realCorrect + fakeCorrect) / (2.0 * batch);
    }
}
