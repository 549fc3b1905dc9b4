package io.latentflow.core.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GradientNormTrendTest {

    @Test
    void aNormFallingFourOrdersOfMagnitudeHasARatioOfOneTenThousandth() {
        double[] norms = {1, 1e-1, 1e-2, 1e-3, 1e-4};

        GradientNormTrend trend = GradientNormTrend.of(norms);

        assertEquals(1, trend.first());
        assertEquals(1e-4, trend.last());
        assertEquals(1e-4, trend.lastOverFirst(), 1e-18);
    }

    @Test
    void tailVarianceCoversOnlyTheLastFifthOfTheMeasurements() {
        // Ten values: the last fifth is {2, 6}, population variance 4; the first eight differ
        // wildly and must not count.
        double[] norms = {100, -100, 50, 7, 0, 1000, 3, 9, 2, 6};

        assertEquals(4.0, GradientNormTrend.of(norms).tailVariance(), 1e-12);
    }

    @Test
    void aSingleMeasurementIsItsOwnTailWithNoVariance() {
        GradientNormTrend trend = GradientNormTrend.of(new double[] {3.5});

        assertEquals(1.0, trend.lastOverFirst());
        assertEquals(0.0, trend.tailVariance());
    }

    @Test
    void noMeasurementsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GradientNormTrend.of(new double[0]));
    }

    @Test
    void rollingStandardDeviationSpansTheWindowEndingAtEachPosition() {
        double[] values = {1, 3, 3, 7};

        double[] deviations = GradientNormTrend.rollingStandardDeviation(values, 2);

        // {1}, {1, 3}, {3, 3}, {3, 7}
        assertArrayEquals(new double[] {0, 1, 0, 2}, deviations, 1e-12);
    }
}
