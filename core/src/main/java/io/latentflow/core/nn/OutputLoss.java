package io.latentflow.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss L(y, t) of a network's output y against a target t, with the first and second derivatives
 * with respect to y that second-order methods need.
 *
 * <p>Rows are examples; the loss is the mean over rows of a per-example loss, so that its scale
 * does not depend on the batch size.
 */
public interface OutputLoss {
    /** Returns L(y, t). */
    double value(INDArray output, INDArray target);

    /** Returns dL/dy in a new array shaped like the output. */
    INDArray gradient(INDArray output, INDArray target);

    /**
     * Returns the product of the loss's Hessian with respect to the output, d2L/dy2, with a
     * direction in output space, in a new array shaped like the output.
     */
    INDArray curvatureTimes(INDArray output, INDArray target, INDArray direction);
}
