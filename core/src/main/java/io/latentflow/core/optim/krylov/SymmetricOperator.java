package io.latentflow.core.optim.krylov;

/**
 * A symmetric linear map on vectors of one dimension, known only through its products, such as a
 * Hessian applied by the R-operator.
 */
@FunctionalInterface
public interface SymmetricOperator {
    /** Returns A x in a new array; x is not modified. */
    double[] times(double[] x);
}
