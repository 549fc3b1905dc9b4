package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.TaskBatch;
import org.junit.jupiter.api.Test;

/**
 * The dense design and the factor loops compute the same function: loss, outputs, every gradient
 * entry and |dL/dh_t| agree to about 1e-10 in float64.
 */
class RecurrenceDesignTest {

    /** Returns the largest |a_i - b_i| / max(1, |a_i|, |b_i|). */
    private static double largestDifference(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double scale = Math.max(1, Math.max(Math.abs(a[i]), Math.abs(b[i])));
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
        }
        return worst;
    }

    private static void assertDesignsAgree(
            UnitaryEvolutionRnn network, SequenceBatch batch, SequenceLoss loss) {
        int length = network.parameters().length;
        double[] loopGradient = new double[length];
        double[] denseGradient = new double[length];
        double[] loopNorms = new double[batch.timeSteps()];
        double[] denseNorms = new double[batch.timeSteps()];

        network.useDesign(RecurrenceDesign.FACTOR_LOOPS);
        double loopLoss = network.lossAndGradient(batch, loss, loopGradient, loopNorms);
        double[] loopOutputs = network.outputs(batch);
        network.useDesign(RecurrenceDesign.DENSE_MATRIX);
        double denseLoss = network.lossAndGradient(batch, loss, denseGradient, denseNorms);
        double[] denseOutputs = network.outputs(batch);

        assertEquals(loopLoss, denseLoss, 1e-10 * Math.abs(loopLoss));
        assertTrue(largestDifference(loopOutputs, denseOutputs) < 1e-10, "outputs differ");
        double gradientDifference = largestDifference(loopGradient, denseGradient);
        assertTrue(gradientDifference < 1e-10, "gradients differ by " + gradientDifference);
        assertTrue(largestDifference(loopNorms, denseNorms) < 1e-10, "|dL/dh_t| differ");
    }

    @Test
    void designsAgreeOnTheGradientCheckNetworkAndBothLosses() {
        assertDesignsAgree(
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS),
                UnitaryEvolutionRnnGradientTest.batch(),
                UnitaryEvolutionRnnGradientTest.crossEntropy());
        assertDesignsAgree(
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS),
                UnitaryEvolutionRnnGradientTest.batch(),
                UnitaryEvolutionRnnGradientTest.lastStepSquaredError());
    }

    @Test
    void designsAgreeOnCopyingAtThePapersSizeOverOneHundredSteps() {
        CopyingMemoryTask task = new CopyingMemoryTask(80, 3);
        UnitaryEvolutionRnn network =
                new UnitaryEvolutionRnn(
                        CopyingMemoryTask.INPUT_CLASSES, 128, CopyingMemoryTask.OUTPUT_CLASSES, 3);
        TaskBatch batch = task.batch(0, 20);
        assertDesignsAgree(network, batch.inputs(), batch.loss());
    }

    @Test
    void aBatchOfAnotherShapeAfterALargerOneReusesTheBuffersCorrectly() {
        CopyingMemoryTask task = new CopyingMemoryTask(30, 4);
        UnitaryEvolutionRnn network =
                new UnitaryEvolutionRnn(
                        CopyingMemoryTask.INPUT_CLASSES, 16, CopyingMemoryTask.OUTPUT_CLASSES, 4);
        TaskBatch large = task.batch(0, 20);
        network.useDesign(RecurrenceDesign.DENSE_MATRIX);
        network.lossAndGradient(
                large.inputs(), large.loss(), new double[network.parameters().length]);
        assertDesignsAgree(network, task.batch(20, 7).inputs(), task.batch(20, 7).loss());
    }

    @Test
    void factorLoopsGiveTheSameGradientWhetherTheyKeepOrRecomputeTheTransforms() {
        UnitaryEvolutionRnn network =
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS);
        SequenceBatch batch = UnitaryEvolutionRnnGradientTest.batch();
        SequenceLoss loss = UnitaryEvolutionRnnGradientTest.crossEntropy();
        double[] kept = new double[network.parameters().length];
        double[] recomputed = new double[kept.length];
        double keptLoss = network.lossAndGradient(batch, loss, kept);
        network.keepTransformsUpTo(0);
        double recomputedLoss = network.lossAndGradient(batch, loss, recomputed);
        assertEquals(keptLoss, recomputedLoss, 0);
        assertTrue(largestDifference(kept, recomputed) < 1e-13, "gradients differ");
    }

    @Test
    void theDefaultDesignFollowsTheMeasuredThreshold() {
        int threshold = RecurrenceDesign.DENSE_UP_TO_HIDDEN_SIZE;
        assertEquals(
                RecurrenceDesign.DENSE_MATRIX,
                new UnitaryEvolutionRnn(2, threshold, 2, 1).design());
        assertEquals(
                RecurrenceDesign.FACTOR_LOOPS,
                new UnitaryEvolutionRnn(2, threshold + 1, 2, 1).design());
    }
}
