package io.latentflow.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.recurrent.RecurrentNetwork;
import io.latentflow.core.recurrent.UnitaryEvolutionRnn;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.TaskBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hessian-free steps on a uRNN through {@link RecurrentObjective}, on a small copying problem (T =
 * 5, so sequences of 25 steps, hidden 8, 16 sequences for the gradient and their first 4 for the
 * curvature).
 */
class RecurrentObjectiveTest {
    private static final CopyingMemoryTask TASK = new CopyingMemoryTask(5, 3);

    private record Outcome(HessianFreeStep step, double lossAfter, String hash) {}

    private static Outcome step(CurvatureMethod method) {
        UnitaryEvolutionRnn urnn =
                new UnitaryEvolutionRnn(
                        CopyingMemoryTask.INPUT_CLASSES, 8, CopyingMemoryTask.OUTPUT_CLASSES, 7);
        RecurrentNetwork network = RecurrentNetwork.of(urnn);
        TaskBatch gradient = TASK.batch(0, 16);
        TaskBatch curvature = TASK.batch(0, 4);
        RecurrentObjective objective =
                new RecurrentObjective(
                        network,
                        gradient.inputs(),
                        gradient.loss(),
                        curvature.inputs(),
                        curvature.loss());
        SaddleFreeHessianFree optimizer =
                new SaddleFreeHessianFree(HessianFreeConfig.defaults(method, 1.0, 20));
        HessianFreeStep step = optimizer.step(objective);
        objective.copyToNetwork();
        return new Outcome(
                step, urnn.loss(gradient.inputs(), gradient.loss()), urnn.parameterHash());
    }

    @ParameterizedTest
    @EnumSource(CurvatureMethod.class)
    void aHessianFreeStepLowersTheCopyingLossOfTheNetworkItself(CurvatureMethod method) {
        Outcome outcome = step(method);
        HessianFreeStep step = outcome.step();
        assertTrue(step.stepLength() > 0, "no step was taken: " + step);
        assertTrue(
                outcome.lossAfter() < step.lossBefore(),
                "loss " + step.lossBefore() + " to " + outcome.lossAfter());
        // The network holds the parameters the optimizer ended at.
        assertEquals(step.lossAfter(), outcome.lossAfter(), 1e-12 * step.lossBefore());
        assertTrue(Double.isFinite(step.reductionRatio()) && step.curvatureProducts() > 0);
    }

    @ParameterizedTest
    @EnumSource(CurvatureMethod.class)
    void theSameStepTwiceEndsAtTheSameParameters(CurvatureMethod method) {
        Outcome first = step(method);
        Outcome second = step(method);
        assertEquals(first.hash(), second.hash());
        assertEquals(first.step(), second.step());
    }

    @Test
    void aCurvatureBatchOfAnotherLengthIsRejected() {
        RecurrentNetwork network =
                RecurrentNetwork.of(
                        new UnitaryEvolutionRnn(
                                CopyingMemoryTask.INPUT_CLASSES,
                                4,
                                CopyingMemoryTask.OUTPUT_CLASSES,
                                1));
        TaskBatch gradient = TASK.batch(0, 4);
        TaskBatch other = new CopyingMemoryTask(6, 3).batch(0, 2);
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new RecurrentObjective(
                                network,
                                gradient.inputs(),
                                gradient.loss(),
                                other.inputs(),
                                other.loss()));
    }
}
