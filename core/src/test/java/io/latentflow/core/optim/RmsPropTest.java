package io.latentflow.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class RmsPropTest {
    private static final double[] FIRST_GRADIENT = {0.2, -0.4, 0.0};
    private static final double[] SECOND_GRADIENT = {0.1, 0.3, 0.5};
    private static final double[] AFTER_TWO_STEPS = {
        0.5363303495673842, -1.879888381300832, 0.18377225398316077
    };

    private static double[][] twoSteps(double epsilon) {
        RmsProp rmsProp = new RmsProp(0.1, 0.9, epsilon, 3);
        double[] parameters = {1.0, -2.0, 0.5};
        rmsProp.update(parameters, FIRST_GRADIENT.clone());
        double[] afterFirst = parameters.clone();
        rmsProp.update(parameters, SECOND_GRADIENT.clone());
        assertEquals(2, rmsProp.iteration());
        return new double[][] {afterFirst, parameters};
    }

    @Test
    void firstTwoStepsMatchHandComputedValues() {
        // Step 1, first entry: v = 0.1 * 0.2^2 = 0.004, step = 0.1 * 0.2 / sqrt(0.004) = 0.3162278.
        // Step 2: v = 0.9 * 0.004 + 0.1 * 0.1^2 = 0.0046, step = 0.1 * 0.1 / sqrt(0.0046) =
        // 0.1474420. A zero gradient moves nothing.
        double[][] steps = twoSteps(1e-8);
        assertArrayEquals(
                new double[] {0.6837722839831541, -1.68377225898316, 0.5}, steps[0], 1e-12);
        assertArrayEquals(AFTER_TWO_STEPS, steps[1], 1e-12);
    }

    @Test
    void epsilonIsAddedToTheRootMeanSquare() {
        // Step 1, first entry: 0.1 * 0.2 / (sqrt(0.004) + 0.1) = 0.1225148; inside the root,
        // 0.1 * 0.2 / sqrt(0.004 + 0.1) would give 0.0620174.
        double[][] steps = twoSteps(0.1);
        assertArrayEquals(
                new double[] {0.8774851773445586, -1.8233926239550988, 0.5}, steps[0], 1e-12);
        assertArrayEquals(
                new double[] {0.817898695550582, -1.9419834868083456, 0.30628705663860345},
                steps[1],
                1e-12);
    }

    @Test
    void paperSettingsAreLearningRateOneInThousandAndDecayNineTenths() {
        RmsProp rmsProp = RmsProp.withPaperSettings(1);
        double[] parameter = {0};
        rmsProp.update(parameter, new double[] {2});
        // v = 0.1 * 4, step = 1e-3 * 2 / (sqrt(0.4) + 1e-8)
        assertEquals(-1e-3 * 2 / (Math.sqrt(0.4) + 1e-8), parameter[0], 1e-15);
        assertEquals(1e-3, rmsProp.learningRate());
    }

    @Test
    void ndArraysTakeTheSameStepsInBothPrecisions() {
        RmsProp doubles = new RmsProp(0.1, 0.9, 1e-8, 3);
        INDArray parameters = Nd4j.createFromArray(1.0, -2.0, 0.5);
        doubles.update(parameters, Nd4j.createFromArray(FIRST_GRADIENT));
        doubles.update(parameters, Nd4j.createFromArray(SECOND_GRADIENT));
        assertArrayEquals(AFTER_TWO_STEPS, parameters.toDoubleVector(), 1e-12);

        RmsProp floats = new RmsProp(0.1, 0.9, 1e-8, 3);
        INDArray single = Nd4j.createFromArray(1.0f, -2.0f, 0.5f);
        floats.update(single, Nd4j.createFromArray(FIRST_GRADIENT).castTo(DataType.FLOAT));
        floats.update(single, Nd4j.createFromArray(SECOND_GRADIENT).castTo(DataType.FLOAT));
        assertArrayEquals(AFTER_TWO_STEPS, single.toDoubleVector(), 1e-6);
    }

    @Test
    void restoredStateContinuesWithTheSameSteps() {
        RmsProp original = new RmsProp(0.1, 0.9, 1e-8, 3);
        double[] parameters = {1.0, -2.0, 0.5};
        original.update(parameters, FIRST_GRADIENT);

        RmsProp restored = new RmsProp(0.1, 0.9, 1e-8, 3);
        restored.restore(original.iteration(), original.meanSquare());
        double[] copy = parameters.clone();
        original.update(parameters, SECOND_GRADIENT);
        restored.update(copy, SECOND_GRADIENT);
        assertArrayEquals(AFTER_TWO_STEPS, copy, 1e-12);
        assertArrayEquals(parameters, copy, 0);
    }

    @Test
    void updateLeavesTheGradientAsItWas() {
        RmsProp rmsProp = new RmsProp(0.1, 0.9, 1e-8, 3);
        double[] gradient = FIRST_GRADIENT.clone();
        rmsProp.update(new double[] {1.0, -2.0, 0.5}, gradient);
        assertArrayEquals(FIRST_GRADIENT, gradient);
    }

    @Test
    void viewsVectorsOfAnotherSizeAndBadSettingsAreRejected() {
        RmsProp rmsProp = new RmsProp(0.1, 0.9, 1e-8, 3);
        INDArray gradient = Nd4j.createFromArray(FIRST_GRADIENT);
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 5).get(NDArrayIndex.interval(1, 4));
        assertThrows(IllegalArgumentException.class, () -> rmsProp.update(view, gradient));
        assertThrows(
                IllegalArgumentException.class,
                () -> rmsProp.update(Nd4j.zeros(DataType.DOUBLE, 4), gradient));
        assertThrows(
                IllegalArgumentException.class,
                () -> rmsProp.update(Nd4j.zeros(DataType.FLOAT, 3), gradient));
        assertThrows(
                IllegalArgumentException.class, () -> rmsProp.update(new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new RmsProp(0, 0.9, 1e-8, 3));
        assertThrows(IllegalArgumentException.class, () -> new RmsProp(0.1, 1, 1e-8, 3));
        assertThrows(IllegalArgumentException.class, () -> new RmsProp(0.1, 0.9, 0, 3));
        assertEquals(0, rmsProp.iteration());
    }
}
