package io.latentflow.core.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AddingTaskTest {

    @Test
    void everyExampleHasOneMarkerInEachHalfAndTheirSumAsTarget() {
        AddingTask task = new AddingTask(201, 1);
        int batchSize = 16;
        TaskBatch batch = task.batch(40, batchSize);
        double[] inputs = batch.inputs().inputs();
        assertEquals(201, batch.inputs().timeSteps());
        for (int b = 0; b < batchSize; b++) {
            AddingTask.Example example = task.example(40 + b);
            int inFirstHalf = 0;
            int inSecondHalf = 0;
            double markedSum = 0;
            for (int t = 0; t < 201; t++) {
                double value = inputs[(t * batchSize + b) * 2];
                double marker = inputs[(t * batchSize + b) * 2 + 1];
                assertTrue(value >= 0 && value < 1);
                assertTrue(marker == 0 || marker == 1);
                if (marker == 1) {
                    if (t < 100) {
                        inFirstHalf++;
                    } else {
                        inSecondHalf++;
                    }
                    markedSum += value;
                }
            }
            assertEquals(1, inFirstHalf);
            assertEquals(1, inSecondHalf);
            assertEquals(example.target(), markedSum, 0);
        }
    }

    @Test
    void predictingOneCostsTheBaselineOfOneSixth() {
        AddingTask task = new AddingTask(50, 2);
        int batchSize = 20_000;
        TaskBatch batch = task.batch(0, batchSize);
        double[] outputs = new double[50 * batchSize];
        Arrays.fill(outputs, 1);
        double cost = batch.loss().evaluate(outputs, 50, batchSize, 1, new double[outputs.length]);
        // The mean of 20,000 squared deviations with variance 1/6 and fourth moment 1/15 has a
        // standard error of about 0.0013.
        assertEquals(AddingTask.BASELINE_MSE, cost, 0.006);
        assertEquals(0.167, AddingTask.BASELINE_MSE, 5e-4);
    }

    @Test
    void anExampleDependsOnlyOnTheSeedAndItsSequenceNumber() {
        AddingTask.Example first = new AddingTask(30, 9).example(123);
        AddingTask.Example again = new AddingTask(30, 9).example(123);
        assertEquals(first.target(), again.target(), 0);
        assertEquals(first.firstMarker(), again.firstMarker());
        assertTrue(new AddingTask(30, 9).example(124).target() != first.target());
    }
}
