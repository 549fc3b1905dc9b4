package io.latentflow.core.diagnostics;

/**
 * An estimate of the Jensen-Shannon divergence between the real and generated distributions from
 * the discriminator's loss.
 *
 * <p>With L_D = -E[log D(real)] - E[log(1 - D(generated))] = -V(D, G), Goodfellow et al. and
 * Arjovsky and Bottou (<a href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>, equation 2)
 * give V(D*, G) = 2 JSD - 2 log 2 at the optimal discriminator D*, so JSD = log 2 - L_D / 2 there.
 * For any other discriminator this is a lower bound in expectation, measured on one batch: an
 * estimate, which can even be negative early in training.
 */
public final class JensenShannonEstimate {
    private JensenShannonEstimate() {}

    /** Returns log 2 - L_D / 2, in nats, for a discriminator loss L_D as above. */
    public static double fromDiscriminatorLoss(double discriminatorLoss) {
        return Math.log(2) - discriminatorLoss / 2;
    }
}
