package io.latentflow.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MomentumSgdTest {
    private static final double[] FIRST_GRADIENT = {0.2, -0.4, 0.0};
    private static final double[] SECOND_GRADIENT = {0.1, 0.3, 0.5};

    @Test
    void twoStepsMatchHandComputedValues() {
        // Step 1: v = -0.1 g1 = (-0.02, 0.04, 0); theta = (0.98, -1.96, 0.5).
        // Step 2: v = 0.9 v - 0.1 g2 = (-0.028, 0.006, -0.05); theta = (0.952, -1.954, 0.45).
        INDArray parameters = Nd4j.createFromArray(1.0, -2.0, 0.5);
        MomentumSgd sgd = new MomentumSgd(0.1, 0.9, parameters);

        sgd.update(parameters, Nd4j.createFromArray(FIRST_GRADIENT));
        assertArrayEquals(new double[] {0.98, -1.96, 0.5}, parameters.toDoubleVector(), 1e-15);
        sgd.update(parameters, Nd4j.createFromArray(SECOND_GRADIENT));

        assertArrayEquals(new double[] {0.952, -1.954, 0.45}, parameters.toDoubleVector(), 1e-15);
        assertArrayEquals(
                new double[] {-0.028, 0.006, -0.05}, sgd.velocity().toDoubleVector(), 1e-15);
        assertEquals(2, sgd.iteration());
    }

    @Test
    void aRestoredOptimizerContinuesExactlyAsTheOriginal() {
        INDArray original = Nd4j.createFromArray(1f, -2f, 0.5f);
        MomentumSgd sgd = new MomentumSgd(0.05, 0.9, original);
        sgd.update(original, Nd4j.createFromArray(FIRST_GRADIENT).castTo(DataType.FLOAT));
        INDArray resumed = original.dup();
        MomentumSgd restored = new MomentumSgd(0.05, 0.9, resumed);
        restored.restore(sgd.iteration(), sgd.velocity());

        INDArray gradient = Nd4j.createFromArray(SECOND_GRADIENT).castTo(DataType.FLOAT);
        sgd.update(original, gradient);
        restored.update(resumed, gradient);

        assertArrayEquals(original.toFloatVector(), resumed.toFloatVector(), 0f);
        assertEquals(2, restored.iteration());
    }

    @Test
    void refusesAGradientOfAnotherLengthOrType() {
        INDArray parameters = Nd4j.createFromArray(1.0, 2.0);
        MomentumSgd sgd = new MomentumSgd(0.1, 0.5, parameters);

        assertThrows(
                IllegalArgumentException.class,
                () -> sgd.update(parameters, Nd4j.createFromArray(1.0, 2.0, 3.0)));
        assertThrows(
                IllegalArgumentException.class,
                () -> sgd.update(parameters, Nd4j.createFromArray(1f, 2f)));
        assertThrows(IllegalArgumentException.class, () -> new MomentumSgd(0.1, 1.0, parameters));
    }
}
