package io.latentflow.job.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RecurrentTrainerSettingsTest {

    @Test
    void theSummaryNamesTheTaskAndTheFirstOrderOptimizersSettings() {
        RecurrentTrainerSettings copying =
                new RecurrentTrainerSettings(
                        SequenceTask.COPYING, 100, 128, 1, 20, 300, 10, 1e-3, 0.9);

        assertEquals(
                "hidden 128, copying at T = 100, batch 20, rmsprop (learning rate 0.001,"
                        + " decay 0.9)",
                copying.summary());

        RecurrentTrainerSettings clippedAdam =
                new RecurrentTrainerSettings(
                        RecurrentModelKind.LSTM,
                        SequenceTask.ADDING,
                        200,
                        40,
                        2,
                        20,
                        0,
                        1,
                        RecurrentOptimizer.ADAM,
                        2e-4,
                        0.9,
                        1.0,
                        0,
                        null,
                        0,
                        1);
        assertEquals(
                "hidden 40, adding at T = 200, batch 20, adam (learning rate 2.0E-4), gradients"
                        + " clipped to norm 1.0",
                clippedAdam.summary());
    }

    @Test
    void theSummaryOfAHessianFreeRunNamesItsBatchesDampingAndInnerLimit() {
        RecurrentTrainerSettings saddleFree =
                new RecurrentTrainerSettings(
                        RecurrentModelKind.URNN,
                        SequenceTask.COPYING,
                        100,
                        128,
                        1,
                        200,
                        20,
                        1,
                        RecurrentOptimizer.SADDLE_FREE,
                        1e-3,
                        0.9,
                        0,
                        0,
                        null,
                        0,
                        1,
                        20,
                        1.0,
                        25,
                        2);

        assertEquals(
                "hidden 128, copying at T = 100, sfhf (gradient batch 200, curvature batch 20,"
                        + " damping 1.0, at most 25 inner iterations)",
                saddleFree.summary());
    }
}
