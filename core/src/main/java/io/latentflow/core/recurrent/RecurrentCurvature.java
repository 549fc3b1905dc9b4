package io.latentflow.core.recurrent;

/**
 * Products with the curvature of a recurrent network's loss on one batch at the parameters it had
 * when the products were prepared, as Hessian-free methods need: exact, by the R-operator pushed
 * forward through the recurrence and back through time (forward-over-reverse), never by forming a
 * matrix. Directions and products are laid out like {@link RecurrentNetwork#parameters()}.
 */
public interface RecurrentCurvature {
    /** Writes H v for the Hessian H of the loss; product is overwritten. */
    void hessianTimes(double[] direction, double[] product);

    /**
     * Writes G v for the Gauss-Newton matrix G = J^T (d2L / dy2) J, where J is the Jacobian of
     * every output with respect to the parameters; product is overwritten.
     */
    void gaussNewtonTimes(double[] direction, double[] product);
}
