package io.latentflow.job.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.tasks.PixelByPixelTask;
import io.latentflow.job.produce.EpochOrder;
import io.latentflow.job.produce.SyntheticFashionMnist;
import io.latentflow.schema.SequenceSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceTaskTest {
    @TempDir Path folder;

    private PixelByPixelTask trainingImages(SequenceTask task) throws IOException {
        SyntheticFashionMnist.write(folder, 12, 4);
        return new PixelByPixelTask(
                IdxReader.readImages(FashionMnist.trainingImages(folder)),
                IdxReader.readLabels(FashionMnist.trainingLabels(folder)),
                task.pixelOrder(3));
    }

    @Test
    void pixelTasksAreNamedLikeTheCommandLineAndAre784StepsLong() {
        assertEquals(SequenceTask.PERMUTED_PIXEL, SequenceTask.parse("permuted-pixel"));
        assertEquals("permuted-pixel", SequenceTask.PERMUTED_PIXEL.optionName());
        assertEquals(SequenceTask.PIXEL, SequenceTask.parse("PIXEL"));
        assertEquals(784, SequenceTask.PIXEL.timeSteps(100));
        assertEquals(Math.log(10), SequenceTask.PERMUTED_PIXEL.baselineLoss(784), 1e-15);
        assertEquals(10, SequenceTask.PIXEL.outputSize());
        assertEquals(1, SequenceTask.PIXEL.inputSize());
    }

    @Test
    void permutedPixelSampleHoldsTheImageInTheSeededOrderAndItsClass() throws IOException {
        SequenceTask task = SequenceTask.PERMUTED_PIXEL;
        PixelByPixelTask images = trainingImages(task);
        int[] order = PixelByPixelTask.permutation(3, 784);
        SequenceSample sample = task.pixelSample("run", images, 7, 5, 42);

        assertEquals("permuted-pixel", sample.getTask());
        assertEquals(42, sample.getSequence());
        assertEquals(784, sample.getTimeSteps());
        assertEquals(List.of(7), sample.getTargetClasses());
        assertTrue(sample.getTargetValues().isEmpty());
        for (int t = 0; t < 784; t++) {
            assertEquals(
                    SyntheticFashionMnist.pixel(0, 7, order[t]), sample.getInputs().get(t), 0f);
        }
        assertNull(task.targetProblem(sample));
    }

    @Test
    void plainPixelSampleReadsRowMajorAndTheStreamFollowsTheEpochOrder() throws IOException {
        SequenceTask task = SequenceTask.PIXEL;
        PixelByPixelTask images = trainingImages(task);
        int index = new EpochOrder(9, 12).indexAt(13);
        SequenceSample sample = task.pixelSample("run", images, index, 9, 13);
        for (int t = 0; t < 784; t++) {
            assertEquals(SyntheticFashionMnist.pixel(0, index, t), sample.getInputs().get(t), 0f);
        }
        assertEquals(index % 10, sample.getTargetClasses().get(0));
        assertThrows(IllegalStateException.class, () -> task.sample("run", 784, 1, 0));
    }

    @Test
    void pixelRecordsOutsideTheGreyRangeOrWithoutOneClassAreProblems() throws IOException {
        SequenceTask task = SequenceTask.PIXEL;
        SequenceSample valid = task.pixelSample("run", trainingImages(task), 2, 1, 0);

        SequenceSample bright = SequenceSample.newBuilder(valid).build();
        List<Float> inputs = new ArrayList<>(bright.getInputs());
        inputs.set(9, 1.5f);
        bright.setInputs(inputs);
        assertTrue(task.targetProblem(bright).contains("pixel 9 is 1.5"));

        SequenceSample twoClasses = SequenceSample.newBuilder(valid).build();
        twoClasses.setTargetClasses(List.of(1, 2));
        assertTrue(task.targetProblem(twoClasses).contains("one target class"));

        SequenceSample noClass = SequenceSample.newBuilder(valid).build();
        noClass.setTargetClasses(List.of(10));
        assertTrue(task.targetProblem(noClass).contains("not in [0, 10)"));
    }
}
