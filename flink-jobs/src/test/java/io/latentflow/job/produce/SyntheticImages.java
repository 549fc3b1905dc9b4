package io.latentflow.job.produce;

/**
 * Images whose every pixel is computable from its index, so a test can check what it reads without
 * keeping what it wrote.
 */
public final class SyntheticImages implements ImageSource {

    private final int count;
    private final int height;
    private final int width;

    /** Creates {@code count} images of the given size. */
    public SyntheticImages(int count, int height, int width) {
        this.count = count;
        this.height = height;
        this.width = width;
    }

    /** Returns pixel {@code pixel} of image {@code index}, a value in [0, 1). */
    public static float pixel(int index, int pixel) {
        return ((index * 31 + pixel * 7) % 256) / 256f;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public float[] image(int index) {
        float[] image = new float[height * width];
        for (int i = 0; i < image.length; i++) {
            image[i] = pixel(index, i);
        }
        return image;
    }

    @Override
    public int label(int index) {
        return index % 10;
    }
}
