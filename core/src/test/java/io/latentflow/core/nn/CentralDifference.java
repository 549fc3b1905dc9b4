package io.latentflow.core.nn;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleFunction;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checks an analytic gradient against float64 central finite differences, one entry of a parameter
 * vector at a time, with the five-point stencil
 *
 * <p>f'(p) = (f(p - 2h) - 8 f(p - h) + 8 f(p + h) - f(p + 2h)) / 12h, error O(h^4).
 *
 * <p>The two-point quotient (f(p + h) - f(p - h)) / 2h carries a rounding error of about 1e-16 *
 * |f| / h, near 3e-10 for a loss near 1, which is more than 1e-6 of the smallest ALI gradients at
 * small sizes (about 1e-6). The five-point stencil allows a step of 1e-4, which cuts that error to
 * about 5e-12 while its truncation error stays far below it.
 */
public final class CentralDifference {
    /** Step h of the stencil. */
    public static final double STEP = 1e-4;

    /** Relative error allowed between analytic and numerical gradients. */
    public static final double TOLERANCE = 1e-6;

    /** Absolute error always allowed: the stencil's rounding error for a loss near 1. */
    public static final double ABSOLUTE_FLOOR = 1e-11;

    private CentralDifference() {}

    /**
     * Asserts that analytic[i] equals the central difference of loss with respect to parameters[i]
     * within {@link #TOLERANCE} relative plus {@link #ABSOLUTE_FLOOR}, for every i. Each parameter
     * is restored after its probe.
     *
     * @param what names the gradient in a failure message
     * @param parameters float64 vector that loss reads, perturbed in place
     * @param analytic the gradient to check, same length, not modified
     * @param loss evaluates the loss at the current parameters
     */
    public static void assertGradientMatches(
            String what, INDArray parameters, INDArray analytic, DoubleSupplier loss) {
        long count = parameters.length();
        if (count == 0 || analytic.length() != count) {
            fail(what + ": " + count + " parameters but " + analytic.length() + " gradients");
        }
        for (long i = 0; i < count; i++) {
            double original = parameters.getDouble(i);
            double numerical =
                    (at(parameters, i, original - 2 * STEP, loss)
                                    - 8 * at(parameters, i, original - STEP, loss)
                                    + 8 * at(parameters, i, original + STEP, loss)
                                    - at(parameters, i, original + 2 * STEP, loss))
                            / (12 * STEP);
            parameters.putScalar(i, original);

            double expected = analytic.getDouble(i);
            double error = Math.abs(numerical - expected);
            double allowed =
                    TOLERANCE * Math.max(Math.abs(numerical), Math.abs(expected)) + ABSOLUTE_FLOOR;
            if (!(error <= allowed)) {
                fail(
                        String.format(
                                "%s[%d]: analytic %.12g, central difference %.12g, error %.3g"
                                        + " above %.3g",
                                what, i, expected, numerical, error, allowed));
            }
        }
    }

    /**
     * Returns the five-point central difference at r = 0 of a vector function of a step r along a
     * direction, with step {@link #STEP}: (f(-2h) - 8 f(-h) + 8 f(h) - f(2h)) / 12h. The caller
     * moves the parameters to r in valueAt and restores them afterwards.
     *
     * @param valueAt returns f(r) in an array the next call does not overwrite
     */
    public static INDArray alongDirection(DoubleFunction<INDArray> valueAt) {
        INDArray minusTwo = valueAt.apply(-2 * STEP).dup();
        INDArray minusOne = valueAt.apply(-STEP).dup();
        INDArray plusOne = valueAt.apply(STEP).dup();
        INDArray plusTwo = valueAt.apply(2 * STEP).dup();
        return minusTwo.subi(minusOne.muli(8)).addi(plusOne.muli(8)).subi(plusTwo).divi(12 * STEP);
    }

    private static double at(INDArray parameters, long index, double value, DoubleSupplier loss) {
        parameters.putScalar(index, value);
        return loss.getAsDouble();
    }
}
