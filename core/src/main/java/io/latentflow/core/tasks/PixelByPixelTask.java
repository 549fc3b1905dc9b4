package io.latentflow.core.tasks;

import io.latentflow.core.data.IdxImages;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Pixel-by-pixel image classification, the long-memory benchmark of Le, Jaitly and Hinton (<a
 * href="https://arxiv.org/abs/1504.00941">arXiv:1504.00941</a>) that Arjovsky, Shah and Bengio (<a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>, section 4.4) ran on MNIST, here on
 * Fashion-MNIST: a 28 x 28 image is read one pixel per step, 784 steps, and the class is predicted
 * from the output of the last step by cross-entropy over 10 classes.
 *
 * <p>The plain task reads the pixels in row-major order. The permuted task reads them in one fixed
 * order, the same for every image, drawn from a seed by {@link #permutation(long, int)}; it spreads
 * the dependencies over the whole sequence instead of leaving the image's last rows, often blank,
 * next to the decision.
 */
public final class PixelByPixelTask {
    /** Classes of Fashion-MNIST. */
    public static final int CLASSES = 10;

    /** Inputs per step: one grey value in [0, 1]. */
    public static final int INPUT_SIZE = 1;

    /** The cross-entropy of guessing uniformly among the classes, log 10. */
    public static final double CHANCE_LOSS = Math.log(CLASSES);

    private final IdxImages images;
    private final int[] labels;
    private final int[] pixelOrder;

    /**
     * Creates the task over a set of images.
     *
     * @param images the images, every one read in full
     * @param labels the class of each image, in [0, 10); not copied
     * @param pixelOrder step t reads pixel {@code pixelOrder[t]}; a permutation of the pixels,
     *     copied
     */
    public PixelByPixelTask(IdxImages images, int[] labels, int[] pixelOrder) {
        this.images = Objects.requireNonNull(images, "images");
        this.labels = Objects.requireNonNull(labels, "labels");
        if (labels.length != images.count()) {
            throw new IllegalArgumentException(
                    labels.length + " labels for " + images.count() + " images");
        }
        requirePermutation(pixelOrder, images.pixelsPerImage());
        this.pixelOrder = pixelOrder.clone();
    }

    /** Returns the row-major order 0, 1, ..., size - 1 of the plain task. */
    public static int[] rowMajor(int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        return order;
    }

    /**
     * Returns the pixel order of the permuted task: a Fisher-Yates shuffle of {@code 0 .. size -
     * 1}, for i from size - 1 down to 1 swapping positions i and {@code random.nextInt(i + 1)} with
     * {@code random = new SplittableRandom(seed)}. The same seed gives the same order on every
     * machine.
     */
    public static int[] permutation(long seed, int size) {
        int[] order = rowMajor(size);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static void requirePermutation(int[] order, int size) {
        if (order.length != size) {
            throw new IllegalArgumentException(
                    "a pixel order must hold " + size + " entries, had " + order.length);
        }
        boolean[] seen = new boolean[size];
        for (int pixel : order) {
            if (pixel < 0 || pixel >= size || seen[pixel]) {
                throw new IllegalArgumentException(
                        "the pixel order is not a permutation of 0.." + (size - 1) + ": " + pixel);
            }
            seen[pixel] = true;
        }
    }

    /** Returns T, the pixels per image. */
    public int sequenceLength() {
        return pixelOrder.length;
    }

    /** Returns the number of images. */
    public int count() {
        return images.count();
    }

    /** Returns image {@code index}'s grey values in [0, 1] in the order the steps read them. */
    public float[] sequence(int index) {
        float[] image = images.image(index);
        float[] sequence = new float[pixelOrder.length];
        for (int t = 0; t < sequence.length; t++) {
            sequence[t] = image[pixelOrder[t]];
        }
        return sequence;
    }

    /** Returns image {@code index}'s class. */
    public int label(int index) {
        return labels[index];
    }

    /**
     * Returns how many examples of a batch have their class as the largest last-step output.
     *
     * @param outputs T * B * 10 outputs, time-major
     * @param labels the B classes
     * @param timeSteps T
     */
    public static int correctAtLastStep(double[] outputs, int[] labels, int timeSteps) {
        int batchSize = labels.length;
        int correct = 0;
        for (int b = 0; b < batchSize; b++) {
            int offset = ((timeSteps - 1) * batchSize + b) * CLASSES;
            int best = 0;
            for (int c = 1; c < CLASSES; c++) {
                if (outputs[offset + c] > outputs[offset + best]) {
                    best = c;
                }
            }
            if (best == labels[b]) {
                correct++;
            }
        }
        return correct;
    }
}
