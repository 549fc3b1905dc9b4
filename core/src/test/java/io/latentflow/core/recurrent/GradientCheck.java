package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleSupplier;

/**
 * Checks an analytic gradient against float64 central finite differences with the five-point
 * stencil f'(p) = (f(p - 2h) - 8 f(p - h) + 8 f(p + h) - f(p + 2h)) / 12h (error O(h^4)), one entry
 * of a Java parameter array at a time.
 */
final class GradientCheck {
    /** Step h of the stencil: its truncation error is far below its rounding error of 1e-12. */
    static final double STEP = 1e-4;

    /** Relative error allowed between analytic and numerical gradients. */
    static final double TOLERANCE = 1e-6;

    /** Absolute error always allowed: the stencil's rounding error for a loss near 1. */
    static final double ABSOLUTE_FLOOR = 1e-11;

    private GradientCheck() {}

    /**
     * Asserts that analytic[i] matches the stencil of loss in parameters[i] for i in [offset,
     * offset + count), each within TOLERANCE relative plus ABSOLUTE_FLOOR; returns the largest
     * relative error seen. Each parameter is restored after its probe.
     */
    static double assertMatches(
            String what,
            double[] parameters,
            double[] analytic,
            int offset,
            int count,
            DoubleSupplier loss) {
        return assertMatches(what, parameters, analytic, offset, count, STEP, loss);
    }

    /** As above with another step, for functions that vary on a scale finer than STEP. */
    static double assertMatches(
            String what,
            double[] parameters,
            double[] analytic,
            int offset,
            int count,
            double step,
            DoubleSupplier loss) {
        double worst = 0;
        for (int i = offset; i < offset + count; i++) {
            double original = parameters[i];
            double numerical =
                    (at(parameters, i, original - 2 * step, loss)
                                    - 8 * at(parameters, i, original - step, loss)
                                    + 8 * at(parameters, i, original + step, loss)
                                    - at(parameters, i, original + 2 * step, loss))
                            / (12 * step);
            parameters[i] = original;
            double error = Math.abs(numerical - analytic[i]);
            double scale = Math.max(Math.abs(numerical), Math.abs(analytic[i]));
            if (error > TOLERANCE * scale + ABSOLUTE_FLOOR) {
                fail(
                        what
                                + " entry "
                                + (i - offset)
                                + ": analytic "
                                + analytic[i]
                                + ", numerical "
                                + numerical);
            }
            if (scale > 0) {
                worst = Math.max(worst, error / scale);
            }
        }
        return worst;
    }

    private static double at(double[] parameters, int i, double value, DoubleSupplier loss) {
        parameters[i] = value;
        return loss.getAsDouble();
    }
}
