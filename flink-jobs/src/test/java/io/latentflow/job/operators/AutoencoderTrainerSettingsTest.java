package io.latentflow.job.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.optim.CurvatureMethod;
import io.latentflow.core.optim.HessianFreeConfig;
import org.junit.jupiter.api.Test;

class AutoencoderTrainerSettingsTest {
    private static final int[] WIDTHS = {784, 1000, 500, 250, 30, 250, 500, 1000, 784};

    private static AutoencoderTrainerSettings settings(OptimizerKind optimizer, int curvature) {
        return new AutoencoderTrainerSettings(
                WIDTHS, optimizer, 1, 100, 6000, curvature, 20, 1, 0.01, 0.9, 1.0, 25, 60_000,
                1000);
    }

    @Test
    void optimizerNamesMapToTheirCurvatureMethods() {
        assertEquals(CurvatureMethod.NEWTON, OptimizerKind.parse("hf").curvatureMethod());
        assertEquals(
                CurvatureMethod.GAUSS_NEWTON,
                OptimizerKind.parse("Gauss-Newton").curvatureMethod());
        assertEquals(CurvatureMethod.SADDLE_FREE, OptimizerKind.parse("sfhf").curvatureMethod());
        assertNull(OptimizerKind.parse("sgd").curvatureMethod());
        assertEquals("sgd, adam, rmsprop, hf, gauss-newton, sfhf", OptimizerKind.optionNames());
        assertThrows(IllegalArgumentException.class, () -> OptimizerKind.parse("lbfgs"));
    }

    @Test
    void aHessianFreeStepTakesTheGradientBatchAndAFirstOrderStepTheMiniBatch() {
        AutoencoderTrainerSettings saddleFree = settings(OptimizerKind.SADDLE_FREE, 600);
        HessianFreeConfig config = saddleFree.hessianFreeConfig();

        assertEquals(6000, saddleFree.examplesPerStep());
        assertEquals(100, settings(OptimizerKind.ADAM, 600).examplesPerStep());
        assertEquals(CurvatureMethod.SADDLE_FREE, config.method());
        assertEquals(25, config.maxInnerIterations());
        assertTrue(config.lanczosSteps() > 0, "saddle-free needs the spectrum's bounds");
        assertEquals(
                0.95,
                settings(OptimizerKind.GAUSS_NEWTON, 600).hessianFreeConfig().warmStartDecay());
        assertEquals("784-1000-500-250-30-250-500-1000-784", saddleFree.describeWidths());
        assertEquals("600", saddleFree.describe().get("curvatureBatch"));
        assertThrows(
                IllegalStateException.class,
                () -> settings(OptimizerKind.SGD, 600).hessianFreeConfig());
    }

    @Test
    void refusesACurvatureBatchLargerThanTheGradientBatchAndAnOutputOfAnotherWidth() {
        assertThrows(
                IllegalArgumentException.class, () -> settings(OptimizerKind.SADDLE_FREE, 6001));
        int[] widths = {784, 30, 100};
        IllegalArgumentException error =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new AutoencoderTrainerSettings(
                                        widths,
                                        OptimizerKind.ADAM,
                                        1,
                                        100,
                                        6000,
                                        600,
                                        20,
                                        1,
                                        1e-3,
                                        0.9,
                                        1.0,
                                        25,
                                        60_000,
                                        1000));
        assertTrue(error.getMessage().contains("as wide as its input"), error.getMessage());
        AutoencoderTrainerSettings settings = settings(OptimizerKind.ADAM, 600);
        int[] copy = settings.widths();
        copy[1] = 7;
        assertArrayEquals(WIDTHS, settings.widths());
    }
}
