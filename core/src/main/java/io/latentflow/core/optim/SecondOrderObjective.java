package io.latentflow.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss over a flat parameter vector on the batches of one training step, with exact curvature
 * products, as Hessian-free methods need: the gradient batch gives the loss and the gradient, and a
 * separate curvature batch, which may be larger, gives the products.
 */
public interface SecondOrderObjective {
    /** Returns the live flat parameter vector that the loss reads. */
    INDArray parameters();

    /** Returns the loss on the gradient batch at the current parameters. */
    double loss();

    /** Returns the gradient on the gradient batch at the current parameters, in a new array. */
    INDArray gradient();

    /**
     * Returns the curvature on the curvature batch at the current parameters. Its products may read
     * the live parameters, as {@link NetworkObjective}'s do, so they are the curvature at this
     * point only while the parameters are there.
     */
    Curvature curvature();

    /** Products with the curvature at one point. */
    interface Curvature {
        /** Returns H v for the Hessian H of the loss. */
        INDArray hessianTimes(INDArray direction);

        /** Returns G v for the Gauss-Newton matrix G of the loss. */
        INDArray gaussNewtonTimes(INDArray direction);
    }
}
