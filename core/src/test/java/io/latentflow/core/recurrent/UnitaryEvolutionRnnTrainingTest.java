package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.optim.RmsProp;
import io.latentflow.core.tasks.AddingTask;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.TaskBatch;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * Short training runs with the paper's optimizer (RMSProp, learning rate 1e-3, decay 0.9, batch 20)
 * at sizes small enough for the test suite, on fresh examples every iteration. Each asserts the
 * mean training cost of the last 50 iterations against a fraction of the task's memoryless
 * baseline, which an untrained or a wrongly differentiated network stays above.
 */
class UnitaryEvolutionRnnTrainingTest {

    private static double meanCostOfLastFifty(
            UnitaryEvolutionRnn network, int iterations, LongFunction<TaskBatch> batches) {
        RmsProp optimizer = RmsProp.withPaperSettings(network.parameters().length);
        double[] gradient = new double[network.parameters().length];
        double recent = 0;
        for (int iteration = 0; iteration < iterations; iteration++) {
            TaskBatch batch = batches.apply((long) iteration * 20);
            double cost = network.lossAndGradient(batch.inputs(), batch.loss(), gradient);
            optimizer.update(network.parameters(), gradient);
            if (iteration >= iterations - 50) {
                recent += cost / 50;
            }
        }
        return recent;
    }

    @Test
    void copyingAtDelayTwentyFallsFarBelowTheMemorylessBaseline() {
        CopyingMemoryTask task = new CopyingMemoryTask(20, 1);
        UnitaryEvolutionRnn network =
                new UnitaryEvolutionRnn(
                        CopyingMemoryTask.INPUT_CLASSES, 64, CopyingMemoryTask.OUTPUT_CLASSES, 1);
        double cost = meanCostOfLastFifty(network, 400, first -> task.batch(first, 20));
        assertTrue(
                cost < task.baselineCost() / 4,
                "cost " + cost + " against the baseline " + task.baselineCost());
    }

    @Test
    void addingAtTwentyStepsFallsToAThirdOfTheBaseline() {
        AddingTask task = new AddingTask(20, 2);
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(AddingTask.INPUT_CHANNELS, 128, 1, 2);
        double cost = meanCostOfLastFifty(network, 2000, first -> task.batch(first, 20));
        assertTrue(cost < AddingTask.BASELINE_MSE / 3, "MSE " + cost);
    }
}
