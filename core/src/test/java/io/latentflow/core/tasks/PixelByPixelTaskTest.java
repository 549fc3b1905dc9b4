package io.latentflow.core.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PixelByPixelTaskTest {

    @Test
    void permutationIsABijectionFixedBySeed() {
        int[] order = PixelByPixelTask.permutation(1, 784);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        assertArrayEquals(PixelByPixelTask.rowMajor(784), sorted);
        assertArrayEquals(order, PixelByPixelTask.permutation(1, 784));
        assertFalse(Arrays.equals(order, PixelByPixelTask.permutation(2, 784)));
        assertFalse(Arrays.equals(order, PixelByPixelTask.rowMajor(784)));
    }

    @Test
    void permutationIsTheFisherYatesShuffleOfSplittableRandom() {
        // By hand from new SplittableRandom(7): nextInt(4), nextInt(3), nextInt(2) are drawn in
        // this order and each swaps position i with the draw.
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int[] expected = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = expected[i];
            expected[i] = expected[j];
            expected[j] = swap;
        }
        assertArrayEquals(expected, PixelByPixelTask.permutation(7, 4));
    }

    @Test
    void stepTReadsThePixelThatTheOrderNames() {
        // Two 2 x 2 images with bytes 0, 51, 102, 255 and 255, 0, 0, 51.
        byte[] pixels = {0, 51, 102, (byte) 255, (byte) 255, 0, 0, 51};
        IdxImages images = new IdxImages(Path.of("two"), 2, 2, 2, pixels);
        PixelByPixelTask task =
                new PixelByPixelTask(images, new int[] {3, 9}, new int[] {2, 0, 3, 1});
        assertArrayEquals(new float[] {0.4f, 0f, 1f, 0.2f}, task.sequence(0));
        assertArrayEquals(new float[] {0f, 1f, 0.2f, 0f}, task.sequence(1));
        assertEquals(9, task.label(1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PixelByPixelTask(images, new int[] {3, 9}, new int[] {2, 0, 2, 1}));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PixelByPixelTask(images, new int[] {3}, new int[] {2, 0, 3, 1}));
    }

    @Test
    void firstTestImageOfFashionMnistReadsInPermutedOrder() throws IOException {
        Path directory = FashionMnist.DEFAULT_DIRECTORY;
        Assumptions.assumeTrue(Files.isDirectory(directory), "dataset-fashion-mnist not installed");
        IdxImages images = IdxReader.readImages(FashionMnist.testImages(directory));
        int[] labels = IdxReader.readLabels(FashionMnist.testLabels(directory));
        int[] order = PixelByPixelTask.permutation(1, 784);
        PixelByPixelTask plain =
                new PixelByPixelTask(images, labels, PixelByPixelTask.rowMajor(784));
        PixelByPixelTask permuted = new PixelByPixelTask(images, labels, order);

        // The first test image is an ankle boot (class 9), as the dataset's documentation shows.
        assertEquals(9, plain.label(0));
        float[] rows = plain.sequence(0);
        assertArrayEquals(images.image(0), rows);
        float[] shuffled = permuted.sequence(0);
        for (int t = 0; t < 784; t++) {
            assertEquals(rows[order[t]], shuffled[t]);
        }
        float[] a = rows.clone();
        float[] b = shuffled.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        assertArrayEquals(a, b, "the same pixels, in another order");
    }

    @Test
    void correctAtLastStepCountsTheLargestLastStepOutput() {
        // T = 2, B = 2: only step 1's outputs count.
        double[] outputs = new double[2 * 2 * 10];
        outputs[(0 * 2 + 0) * 10 + 4] = 9; // step 0 is ignored
        outputs[(1 * 2 + 0) * 10 + 3] = 1;
        outputs[(1 * 2 + 1) * 10 + 7] = 2;
        assertEquals(1, PixelByPixelTask.correctAtLastStep(outputs, new int[] {3, 6}, 2));
        assertEquals(2, PixelByPixelTask.correctAtLastStep(outputs, new int[] {3, 7}, 2));
    }
}
