package io.latentflow.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class AdamTest {
    private static final double[] FIRST_GRADIENT = {0.2, -0.4, 0.0};
    private static final double[] SECOND_GRADIENT = {0.1, 0.3, 0.5};

    private static double[][] twoSteps(double epsilon) {
        Adam adam = new Adam(0.1, 0.9, 0.999, epsilon, 3, DataType.DOUBLE);
        INDArray parameters = Nd4j.createFromArray(1.0, -2.0, 0.5);
        adam.update(parameters, Nd4j.createFromArray(FIRST_GRADIENT));
        double[] afterFirst = parameters.toDoubleVector();
        adam.update(parameters, Nd4j.createFromArray(SECOND_GRADIENT));
        assertEquals(2, adam.iteration());
        return new double[][] {afterFirst, parameters.toDoubleVector()};
    }

    @Test
    void firstTwoStepsMatchHandComputedValues() {
        // Step 1, first entry: m = 0.1 * 0.2 = 0.02, v = 0.001 * 0.04 = 4e-5,
        // alpha_1 = 0.1 * sqrt(1 - 0.999) / (1 - 0.9) = 0.0316228, step = alpha_1 * m / sqrt(v)
        // = 0.1 (less 1.6e-7 from epsilon). A zero gradient moves nothing.
        double[][] steps = twoSteps(1e-8);
        assertArrayEquals(
                new double[] {0.900000158113633, -1.900000079056879, 0.5}, steps[0], 1e-12);
        assertArrayEquals(
                new double[] {0.8067823261151786, -1.8910675839675624, 0.4255863647066171},
                steps[1],
                1e-12);
    }

    @Test
    void epsilonIsAddedToTheSquareRootBeforeBiasCorrection() {
        // Step 1, first entry: alpha_1 * m / (sqrt(v) + 0.1) = 0.0316228 * 0.02 / 0.1063246
        // = 0.0059483. PyTorch's placement, m_hat / (sqrt(v_hat) + 0.1), would give 0.0333333.
        double[][] steps = twoSteps(0.1);
        assertArrayEquals(
                new double[] {0.9940516512848024, -1.9887712290237058, 0.5}, steps[0], 1e-12);
        assertArrayEquals(
                new double[] {0.987897755057633, -1.98755203800175, 0.4898405187615844},
                steps[1],
                1e-12);
    }

    @Test
    void restoredStateContinuesWithTheSameSteps() {
        Adam original = new Adam(0.1, 0.9, 0.999, 1e-8, 3, DataType.DOUBLE);
        INDArray parameters = Nd4j.createFromArray(1.0, -2.0, 0.5);
        original.update(parameters, Nd4j.createFromArray(FIRST_GRADIENT));

        Adam restored = new Adam(0.1, 0.9, 0.999, 1e-8, 3, DataType.DOUBLE);
        restored.restore(original.iteration(), original.firstMoment(), original.secondMoment());
        INDArray copy = parameters.dup();
        original.update(parameters, Nd4j.createFromArray(SECOND_GRADIENT));
        restored.update(copy, Nd4j.createFromArray(SECOND_GRADIENT));

        assertEquals(parameters, copy);
        assertArrayEquals(
                new double[] {0.8067823261151786, -1.8910675839675624, 0.4255863647066171},
                copy.toDoubleVector(),
                1e-12);
    }

    @Test
    void floatParametersTakeTheSameStepsToSinglePrecision() {
        Adam adam = new Adam(0.1, 0.9, 0.999, 1e-8, 3, DataType.FLOAT);
        INDArray parameters = Nd4j.createFromArray(1.0f, -2.0f, 0.5f);
        adam.update(parameters, Nd4j.createFromArray(FIRST_GRADIENT).castTo(DataType.FLOAT));
        adam.update(parameters, Nd4j.createFromArray(SECOND_GRADIENT).castTo(DataType.FLOAT));
        assertArrayEquals(
                new double[] {0.8067823261151786, -1.8910675839675624, 0.4255863647066171},
                parameters.toDoubleVector(),
                1e-6);
    }

    @Test
    void updateLeavesTheGradientAsItWas() {
        Adam adam = new Adam(0.1, 0.9, 0.999, 1e-8, 3, DataType.DOUBLE);
        INDArray gradient = Nd4j.createFromArray(FIRST_GRADIENT);
        adam.update(Nd4j.createFromArray(1.0, -2.0, 0.5), gradient);
        assertArrayEquals(FIRST_GRADIENT, gradient.toDoubleVector());
    }

    @Test
    void viewsAndVectorsOfAnotherSizeOrTypeAreRejected() {
        Adam adam = new Adam(0.1, 0.9, 0.999, 1e-8, 3, DataType.DOUBLE);
        INDArray gradient = Nd4j.createFromArray(FIRST_GRADIENT);
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 5).get(NDArrayIndex.interval(1, 4));
        assertThrows(IllegalArgumentException.class, () -> adam.update(view, gradient));
        assertThrows(
                IllegalArgumentException.class,
                () -> adam.update(Nd4j.zeros(DataType.DOUBLE, 4), gradient));
        assertThrows(
                IllegalArgumentException.class,
                () -> adam.update(Nd4j.zeros(DataType.FLOAT, 3), gradient));
        assertEquals(0, adam.iteration());
    }

    @Test
    void javaArrayUpdatesTakeTheSameStepsAsNd4jVectors() {
        double[][] expected = twoSteps(1e-8);
        Adam adam = new Adam(0.1, 0.9, 0.999, 1e-8, 3, DataType.DOUBLE);
        double[] parameters = {1.0, -2.0, 0.5};
        adam.update(parameters, FIRST_GRADIENT.clone());
        assertArrayEquals(expected[0], parameters, 0);
        adam.update(parameters, SECOND_GRADIENT.clone());
        assertArrayEquals(expected[1], parameters, 0);
        assertEquals(2, adam.iteration());

        Adam single = new Adam(0.1, 0.9, 0.999, 1e-8, 3, DataType.FLOAT);
        assertThrows(
                IllegalStateException.class, () -> single.update(new double[3], new double[3]));
        assertThrows(
                IllegalArgumentException.class, () -> adam.update(new double[4], new double[4]));
    }
}
