package io.latentflow.core.model;

/**
 * The cost the generator (and ALI's encoder) minimizes, as functions of the discriminator's logits:
 * r = D(real pair) and f = D(generated pair), with D's probability sigmoid(logit) of "real".
 *
 * <p>Arjovsky and Bottou (<a href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>) show
 * that the original cost's gradient vanishes as the discriminator approaches optimality, while the
 * alternative -log D cost keeps its size but grows unstable. Both are offered so that users can
 * watch each happen.
 */
public enum GeneratorCost {
    /**
     * The original minimax cost: the generator minimizes what the discriminator maximizes, E log(1
     * - D(G(z))) = -softplus(f) per generated pair and, for ALI's encoder, E log D(x, E(x)) =
     * -softplus(-r) per encoder pair.
     */
    MINIMAX("minimax") {
        @Override
        double generatedLoss(double f) {
            return -softplus(f);
        }

        @Override
        double generatedGradient(double f) {
            return -sigmoid(f);
        }

        @Override
        double encodedLoss(double r) {
            return -softplus(-r);
        }

        @Override
        double encodedGradient(double r) {
            return sigmoid(-r);
        }

        @Override
        double generatedCurvature(double f) {
            return -logisticCurvature(f);
        }

        @Override
        double encodedCurvature(double r) {
            return -logisticCurvature(r);
        }
    },

    /**
     * The -log D cost with swapped labels: -log D(G(z)) = softplus(-f) per generated pair and, for
     * ALI's encoder, -log(1 - D(x, E(x))) = softplus(r) per encoder pair.
     */
    NON_SATURATING("non-saturating") {
        @Override
        double generatedLoss(double f) {
            return softplus(-f);
        }

        @Override
        double generatedGradient(double f) {
            return -sigmoid(-f);
        }

        @Override
        double encodedLoss(double r) {
            return softplus(r);
        }

        @Override
        double encodedGradient(double r) {
            return sigmoid(r);
        }

        @Override
        double generatedCurvature(double f) {
            return logisticCurvature(f);
        }

        @Override
        double encodedCurvature(double r) {
            return logisticCurvature(r);
        }
    };

    private final String optionName;

    GeneratorCost(String optionName) {
        this.optionName = optionName;
    }

    /** The cost's term for one generated pair with discriminator logit f. */
    abstract double generatedLoss(double f);

    /** d generatedLoss / d f. */
    abstract double generatedGradient(double f);

    /** The cost's term for one encoder pair with discriminator logit r (ALI only). */
    abstract double encodedLoss(double r);

    /** d encodedLoss / d r. */
    abstract double encodedGradient(double r);

    /**
     * d2 generatedLoss / d f2: -sigmoid(f) sigmoid(-f) for the minimax cost, which is concave in
     * the logit, and +sigmoid(f) sigmoid(-f) for the non-saturating one, which is convex.
     */
    abstract double generatedCurvature(double f);

    /** d2 encodedLoss / d r2, of the same magnitude and sign as {@link #generatedCurvature}. */
    abstract double encodedCurvature(double r);

    /** Returns the name used on the command line and in records: minimax or non-saturating. */
    public String optionName() {
        return optionName;
    }

    /** Returns the cost named by {@link #optionName()} or by its constant's name. */
    public static GeneratorCost parse(String name) {
        for (GeneratorCost cost : values()) {
            if (cost.optionName.equals(name) || cost.name().equalsIgnoreCase(name)) {
                return cost;
            }
        }
        throw new IllegalArgumentException(
                "unknown generator cost " + name + "; expected minimax or non-saturating");
    }

    /** softplus(t) = log(1 + exp(t)), written to neither overflow nor lose small values. */
    static double softplus(double t) {
        return Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
    }

    /** d2 softplus(t) / dt2 = sigmoid(t) sigmoid(-t), the same for softplus(-t). */
    static double logisticCurvature(double t) {
        return sigmoid(t) * sigmoid(-t);
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
