package io.latentflow.core.model;

/**
 * The ALI objective evaluated on the discriminator's 2B logits, real (encoder) pairs first and
 * generator pairs after, with the gradients of both losses with respect to those logits.
 *
 * <p>This runs as a plain loop on the JVM because it touches only 2B numbers, where one ND4J
 * operation would cost more than the whole loop.
 */
final class AliObjective {
    final double discriminatorLoss;
    final double generatorLoss;
    final double meanRealScore;
    final double meanFakeScore;
    final double discriminatorAccuracy;

    /** d(L_D) / d(logit) for each of the 2B logits. */
    final double[] discriminatorLogitGradient;

    /** d(L_GE) / d(logit) for each of the 2B logits. */
    final double[] generatorLogitGradient;

    AliObjective(double[] logits) {
        int batch = logits.length / 2;
        discriminatorLogitGradient = new double[logits.length];
        generatorLogitGradient = new double[logits.length];

        // With r = D(x, z_hat) and f = D(G(z), z), means over the batch of size B:
        //   L_D  = softplus(-r) + softplus(f)
        //   L_GE = softplus(r) + softplus(-f)
        // and since d softplus(t) / dt = sigmoid(t):
        //   dL_D/dr = -sigmoid(-r) / B,  dL_D/df = sigmoid(f) / B
        //   dL_GE/dr = sigmoid(r) / B,   dL_GE/df = -sigmoid(-f) / B
        double lossD = 0;
        double lossGE = 0;
        double realScore = 0;
        double fakeScore = 0;
        int correct = 0;
        for (int i = 0; i < batch; i++) {
            double real = logits[i];
            double fake = logits[batch + i];
            lossD += softplus(-real) + softplus(fake);
            lossGE += softplus(real) + softplus(-fake);
            double realProbability = sigmoid(real);
            double fakeProbability = sigmoid(fake);
            realScore += realProbability;
            fakeScore += fakeProbability;
            correct += (real > 0 ? 1 : 0) + (fake < 0 ? 1 : 0);

            discriminatorLogitGradient[i] = -sigmoid(-real) / batch;
            discriminatorLogitGradient[batch + i] = fakeProbability / batch;
            generatorLogitGradient[i] = realProbability / batch;
            generatorLogitGradient[batch + i] = -sigmoid(-fake) / batch;
        }
        discriminatorLoss = lossD / batch;
        generatorLoss = lossGE / batch;
        meanRealScore = realScore / batch;
        meanFakeScore = fakeScore / batch;
        discriminatorAccuracy = correct / (2.0 * batch);
    }

    /** softplus(t) = log(1 + exp(t)), written to neither overflow nor lose small values. */
    static double softplus(double t) {
        return Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
    }

    /** sigmoid(t) = 1 / (1 + exp(-t)), written so that exp never overflows. */
    static double sigmoid(double t) {
        if (t >= 0) {
            return 1 / (1 + Math.exp(-t));
        }
        double e = Math.exp(t);
        return e / (1 + e);
    }
}
