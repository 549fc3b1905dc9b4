package io.latentflow.core.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CopyingMemoryTaskTest {

    @Test
    void examplesHoldTenSymbolsThenBlanksAndTheDelimiterTStepsLater() {
        CopyingMemoryTask task = new CopyingMemoryTask(100, 1);
        for (long s = 0; s < 50; s++) {
            CopyingMemoryTask.Example example = task.example(s);
            assertEquals(120, example.inputs().length);
            assertEquals(120, example.targets().length);
            for (int t = 0; t < 120; t++) {
                int input = example.inputs()[t];
                if (t < 10) {
                    assertTrue(input >= 1 && input <= 8, "symbol " + input);
                    assertEquals(input, example.targets()[110 + t]);
                } else if (t == 109) {
                    assertEquals(CopyingMemoryTask.DELIMITER, input);
                } else {
                    assertEquals(CopyingMemoryTask.BLANK, input);
                }
                if (t < 110) {
                    assertEquals(CopyingMemoryTask.BLANK, example.targets()[t]);
                }
            }
        }
    }

    @Test
    void anExampleDependsOnlyOnTheSeedAndItsSequenceNumber() {
        CopyingMemoryTask task = new CopyingMemoryTask(20, 5);
        assertArrayEquals(
                task.example(7).inputs(), new CopyingMemoryTask(20, 5).example(7).inputs());
        assertFalse(Arrays.equals(task.example(7).inputs(), task.example(8).inputs()));
        assertFalse(
                Arrays.equals(
                        task.example(7).inputs(),
                        new CopyingMemoryTask(20, 6).example(7).inputs()));
        // A batch's second example is the example with the next sequence number.
        double[] inputs = task.batch(7, 2).inputs().inputs();
        for (int t = 0; t < 10; t++) {
            int symbol = task.example(8).inputs()[t];
            assertEquals(1, inputs[(t * 2 + 1) * CopyingMemoryTask.INPUT_CLASSES + symbol]);
        }
    }

    @Test
    void symbolsAreUniformOverTheAlphabet() {
        CopyingMemoryTask task = new CopyingMemoryTask(1, 2);
        int[] counts = new int[CopyingMemoryTask.INPUT_CLASSES];
        for (long s = 0; s < 8000; s++) {
            for (int t = 0; t < 10; t++) {
                counts[task.example(s).inputs()[t]]++;
            }
        }
        // 80,000 draws, 10,000 expected per symbol, standard deviation about 94.
        for (int symbol = 1; symbol <= 8; symbol++) {
            assertEquals(10_000, counts[symbol], 500);
        }
    }

    @Test
    void memorylessBaselineCostsTenLogEightOverTPlusTwenty() {
        int delay = 100;
        CopyingMemoryTask task = new CopyingMemoryTask(delay, 3);
        assertEquals(10 * Math.log(8) / 120, task.baselineCost(), 1e-15);
        assertEquals(0.1733, task.baselineCost(), 1e-4);

        // Logits that put all mass on blank for T + 10 steps, then spread it evenly over the 8
        // symbols, cost exactly the baseline under the task's loss.
        int batchSize = 4;
        TaskBatch batch = task.batch(0, batchSize);
        int classes = CopyingMemoryTask.OUTPUT_CLASSES;
        double[] logits = new double[120 * batchSize * classes];
        for (int t = 0; t < 120; t++) {
            for (int b = 0; b < batchSize; b++) {
                int row = (t * batchSize + b) * classes;
                for (int o = 0; o < classes; o++) {
                    boolean likely = t < 110 ? o == CopyingMemoryTask.BLANK : o != 0;
                    logits[row + o] = likely ? 0 : -1000;
                }
            }
        }
        double cost =
                batch.loss().evaluate(logits, 120, batchSize, classes, new double[logits.length]);
        assertEquals(task.baselineCost(), cost, 1e-12);
    }

    @Test
    void recallAccuracyCountsOnlyTheTenRecalledSymbols() {
        CopyingMemoryTask task = new CopyingMemoryTask(5, 3);
        int length = task.sequenceLength();
        int batchSize = 4;
        int classes = CopyingMemoryTask.OUTPUT_CLASSES;
        double[] perfect = new double[length * batchSize * classes];
        double[] blanks = new double[perfect.length];
        for (int b = 0; b < batchSize; b++) {
            int[] targets = task.example(7 + b).targets();
            for (int t = 0; t < length; t++) {
                perfect[(t * batchSize + b) * classes + targets[t]] = 1;
                blanks[(t * batchSize + b) * classes + CopyingMemoryTask.BLANK] = 1;
            }
        }
        assertEquals(1.0, task.recallAccuracy(perfect, 7, batchSize));
        assertEquals(0.0, task.recallAccuracy(blanks, 7, batchSize));

        // The same logits scored against other examples match only where symbols coincide.
        double shifted = task.recallAccuracy(perfect, 8, batchSize);
        assertTrue(shifted < 0.5, "accuracy against the wrong examples " + shifted);
    }
}
