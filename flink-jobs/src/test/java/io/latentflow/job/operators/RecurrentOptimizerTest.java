package io.latentflow.job.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecurrentOptimizerTest {
    private static final double[][] GRADIENTS = {
        {0.2, -0.4, 0.0}, {0.1, 0.3, 0.5}, {-0.3, 0.2, 0.1}, {0.05, -0.1, 0.4}
    };

    /** Four steps from one optimizer, or two, a save and a restored optimizer for the rest. */
    private static double[] train(RecurrentOptimizer kind, boolean restart) {
        double[] parameters = {1.0, -2.0, 0.5};
        RecurrentOptimizer.Stepper stepper = kind.create(1e-2, 0.9, 3, null);
        for (int step = 0; step < GRADIENTS.length; step++) {
            if (restart && step == 2) {
                RecurrentModelState saved = stepper.save(parameters.clone());
                assertEquals(2, saved.updates);
                parameters = saved.parameters;
                stepper = kind.create(1e-2, 0.9, 3, saved);
            }
            stepper.update(parameters, GRADIENTS[step].clone());
        }
        return parameters;
    }

    @Test
    void restoredRmsPropAndAdamContinueExactlyAsWithoutTheRestart() {
        for (RecurrentOptimizer kind :
                List.of(RecurrentOptimizer.RMSPROP, RecurrentOptimizer.ADAM)) {
            assertArrayEquals(train(kind, false), train(kind, true), 0, kind.optionName());
        }
    }

    @Test
    void theHessianFreeMethodsAreNamedAsForTheAutoencoderAndTakeNoGradientUpdates() {
        assertEquals(RecurrentOptimizer.SADDLE_FREE, RecurrentOptimizer.parse("SFHF"));
        assertEquals(RecurrentOptimizer.NEWTON_CG, RecurrentOptimizer.parse("hf"));
        assertEquals(RecurrentOptimizer.GAUSS_NEWTON, RecurrentOptimizer.parse("gauss-newton"));
        for (RecurrentOptimizer kind : RecurrentOptimizer.values()) {
            assertEquals(
                    OptimizerKind.parse(kind.optionName()).curvatureMethod(),
                    kind.isSecondOrder() ? kind.hessianFreeConfig(1, 5).method() : null);
            if (kind.isSecondOrder()) {
                assertThrows(IllegalStateException.class, () -> kind.create(1e-2, 0.9, 3, null));
            }
        }
        assertEquals(10, RecurrentOptimizer.SADDLE_FREE.hessianFreeConfig(1, 25).lanczosSteps());
        assertThrows(
                IllegalStateException.class, () -> RecurrentOptimizer.ADAM.hessianFreeConfig(1, 5));
    }

    @Test
    void adamKeepsItsFirstMomentAndRmsPropHasNone() {
        double[] parameters = {1.0, -2.0, 0.5};
        RecurrentOptimizer.Stepper adam = RecurrentOptimizer.ADAM.create(1e-2, 0.9, 3, null);
        adam.update(parameters, GRADIENTS[0].clone());
        // m = (1 - beta1) g, v = (1 - beta2) g^2 after one step.
        RecurrentModelState saved = adam.save(parameters);
        assertArrayEquals(new double[] {0.02, -0.04, 0.0}, saved.firstMoment, 1e-15);
        assertArrayEquals(new double[] {4e-5, 1.6e-4, 0.0}, saved.meanSquare, 1e-15);
        assertNull(
                RecurrentOptimizer.RMSPROP.create(1e-2, 0.9, 3, null).save(parameters).firstMoment);
        assertEquals(RecurrentOptimizer.ADAM, RecurrentOptimizer.parse("Adam"));
    }

    @Test
    void gradientClipRescalesOnlyGradientsLongerThanTheClip() {
        double[] longer = {3, 4};
        RecurrentNetworkTrainer.clipToNorm(longer, 5, 1);
        assertArrayEquals(new double[] {0.6, 0.8}, longer, 1e-15);
        double[] shorter = {0.3, 0.4};
        RecurrentNetworkTrainer.clipToNorm(shorter, 0.5, 1);
        assertArrayEquals(new double[] {0.3, 0.4}, shorter, 0);
        double[] unclipped = {3, 4};
        RecurrentNetworkTrainer.clipToNorm(unclipped, 5, 0);
        assertArrayEquals(new double[] {3, 4}, unclipped, 0);
    }
}
