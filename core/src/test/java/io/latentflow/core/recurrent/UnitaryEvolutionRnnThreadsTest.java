package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.latentflow.core.optim.RmsProp;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.TaskBatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The factor loops on several threads compute exactly what they compute on one: outputs, loss,
 * every gradient entry and |dL/dh_t| are equal to the last bit, and so are the parameters after
 * training, for thread counts that divide the batch, that do not, and that exceed it.
 */
class UnitaryEvolutionRnnThreadsTest {
    private static final int BATCH = 7;

    private static UnitaryEvolutionRnn network(int threads) {
        UnitaryEvolutionRnn network =
                new UnitaryEvolutionRnn(
                        CopyingMemoryTask.INPUT_CLASSES, 32, CopyingMemoryTask.OUTPUT_CLASSES, 9);
        network.useDesign(RecurrenceDesign.FACTOR_LOOPS);
        network.useThreads(threads);
        return network;
    }

    private record Pass(double[] outputs, double loss, double[] gradient, double[] norms) {}

    private static Pass pass(UnitaryEvolutionRnn network, TaskBatch batch) {
        double[] gradient = new double[network.parameters().length];
        double[] norms = new double[batch.inputs().timeSteps()];
        double loss = network.lossAndGradient(batch.inputs(), batch.loss(), gradient, norms);
        return new Pass(network.outputs(batch.inputs()), loss, gradient, norms);
    }

    private static void assertSamePass(Pass expected, Pass actual) {
        assertArrayEquals(expected.outputs, actual.outputs);
        assertEquals(expected.loss, actual.loss, 0);
        assertArrayEquals(expected.gradient, actual.gradient);
        assertArrayEquals(expected.norms, actual.norms);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 7, 25})
    void everyThreadCountGivesTheOneThreadResultToTheLastBit(int threads) {
        TaskBatch batch = new CopyingMemoryTask(30, 5).batch(0, BATCH);
        Pass one = pass(network(1), batch);
        assertSamePass(one, pass(network(threads), batch));

        UnitaryEvolutionRnn recomputing = network(threads);
        recomputing.keepTransformsUpTo(0);
        Pass recomputed = pass(recomputing, batch);
        UnitaryEvolutionRnn recomputingOnOne = network(1);
        recomputingOnOne.keepTransformsUpTo(0);
        assertSamePass(pass(recomputingOnOne, batch), recomputed);
    }

    @Test
    void theGradientCheckedAgainstFiniteDifferencesIsTheSameOnThreeThreads() {
        UnitaryEvolutionRnn one =
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS);
        UnitaryEvolutionRnn three =
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS);
        three.useThreads(3);
        SequenceBatch batch = UnitaryEvolutionRnnGradientTest.batch();
        for (SequenceLoss loss :
                new SequenceLoss[] {
                    UnitaryEvolutionRnnGradientTest.crossEntropy(),
                    UnitaryEvolutionRnnGradientTest.lastStepSquaredError()
                }) {
            double[] expected = new double[one.parameters().length];
            double[] actual = new double[expected.length];
            assertEquals(
                    one.lossAndGradient(batch, loss, expected),
                    three.lossAndGradient(batch, loss, actual),
                    0);
            assertArrayEquals(expected, actual);
        }
    }

    @Test
    void trainingOnFourThreadsEndsWithTheSameParameterHash() {
        CopyingMemoryTask task = new CopyingMemoryTask(20, 2);
        String[] hashes = new String[2];
        int[] threadCounts = {1, 4};
        for (int i = 0; i < threadCounts.length; i++) {
            UnitaryEvolutionRnn network = network(threadCounts[i]);
            RmsProp optimizer = RmsProp.withPaperSettings(network.parameters().length);
            double[] gradient = new double[network.parameters().length];
            for (int step = 0; step < 30; step++) {
                TaskBatch batch = task.batch((long) step * 20, 20);
                network.lossAndGradient(batch.inputs(), batch.loss(), gradient);
                optimizer.update(network.parameters(), gradient);
            }
            hashes[i] = network.parameterHash();
        }
        assertEquals(hashes[0], hashes[1]);
    }

    @Test
    void chunksCoverEveryExampleOnceAndAFailureWaitsForTheOthers() {
        AtomicIntegerArray visits = new AtomicIntegerArray(10);
        ExampleChunks.run(
                4,
                10,
                (chunk, from, to) -> {
                    for (int b = from; b < to; b++) {
                        visits.incrementAndGet(b);
                    }
                });
        for (int b = 0; b < 10; b++) {
            assertEquals(1, visits.get(b), "example " + b);
        }

        AtomicInteger finished = new AtomicInteger();
        IllegalStateException failure = new IllegalStateException("chunk 0 failed");
        IllegalStateException thrown =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                ExampleChunks.run(
                                        3,
                                        9,
                                        (chunk, from, to) -> {
                                            if (chunk == 0) {
                                                throw failure;
                                            }
                                            sleepBriefly();
                                            finished.incrementAndGet();
                                        }));
        assertSame(failure, thrown);
        assertEquals(2, finished.get(), "the other chunks had finished when the failure surfaced");
    }

    @Test
    void aThreadCountBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> network(1).useThreads(0));
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
