package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The losses' products (d2L / dy2) r against float64 central differences of their gradients along
 * r, on a mask that leaves a step out.
 */
class SequenceLossHessianTest {
    private static final int STEPS = 3;
    private static final int BATCH = 2;
    private static final int OUTPUTS = 4;
    private static final boolean[] MASK = {true, false, true};

    @Test
    void softmaxCrossEntropyMatchesDifferencesOfItsGradient() {
        int[] targets = {0, 3, 1, 1, 2, 0};
        assertHessianMatches(new SoftmaxCrossEntropy(targets, MASK));
    }

    @Test
    void meanSquaredErrorMatchesDifferencesOfItsGradient() {
        assertHessianMatches(new MeanSquaredError(random(STEPS * BATCH * OUTPUTS, 3), MASK));
    }

    private static void assertHessianMatches(SequenceLoss loss) {
        int size = STEPS * BATCH * OUTPUTS;
        double[] outputs = random(size, 1);
        double[] direction = random(size, 2);
        double[] product = new double[size];
        loss.hessianTimes(outputs, STEPS, BATCH, OUTPUTS, direction, product);

        double h = 1e-5;
        double[] plus = gradientAt(loss, outputs, direction, h);
        double[] minus = gradientAt(loss, outputs, direction, -h);
        for (int i = 0; i < size; i++) {
            double numerical = (plus[i] - minus[i]) / (2 * h);
            assertEquals(numerical, product[i], 1e-9, "entry " + i);
            if (!MASK[i / (BATCH * OUTPUTS)]) {
                assertEquals(0, product[i], "masked-out entry " + i);
            }
        }
    }

    private static double[] gradientAt(
            SequenceLoss loss, double[] outputs, double[] direction, double step) {
        double[] moved = outputs.clone();
        for (int i = 0; i < moved.length; i++) {
            moved[i] += step * direction[i];
        }
        double[] gradient = new double[outputs.length];
        loss.evaluate(moved, STEPS, BATCH, OUTPUTS, gradient);
        return gradient;
    }

    private static double[] random(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextDouble(-2, 2);
        }
        return values;
    }
}
