package io.latentflow.core.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A stack of grayscale images read from an IDX file, kept as the file's unsigned bytes so that the
 * 60,000 Fashion-MNIST training images take 47 MB rather than four times that as floats.
 *
 * <p>Image {@code i} occupies bytes {@code [i * height * width, (i + 1) * height * width)} of
 * {@link #pixels()}, row by row. The array is shared, not copied: callers must not modify it. Being
 * a record holding an array, two instances are equal only when they share that array.
 *
 * @param source the file the images were read from, for messages and provenance
 * @param count the number of images
 * @param height the number of rows in each image
 * @param width the number of columns in each image
 * @param pixels {@code count * height * width} unsigned bytes, 0 black to 255 white
 */
public record IdxImages(Path source, int count, int height, int width, byte[] pixels) {

    /** Checks that the dimensions are non-negative and agree with the length of the pixels. */
    public IdxImages {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(pixels, "pixels");
        if (count < 0 || height < 0 || width < 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s: dimensions must be non-negative, got %d x %d x %d",
                            source, count, height, width));
        }
        long expected = (long) count * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s: %d x %d x %d images need %d pixels, got %d",
                            source, count, height, width, expected, pixels.length));
        }
    }

    /** Returns the number of pixels in one image, {@code height * width}. */
    public int pixelsPerImage() {
        return height * width;
    }

    /**
     * Returns one image as floats in [0, 1], row-major: the byte value divided by 255.
     *
     * @param index which image, from 0 to {@code count - 1}
     * @return a new array of {@link #pixelsPerImage()} values
     * @throws IndexOutOfBoundsException if {@code index} is not a valid image index
     */
    public float[] image(int index) {
        Objects.checkIndex(index, count);
        int size = pixelsPerImage();
        int offset = index * size;
        float[] image = new float[size];
        for (int i = 0; i < size; i++) {
            image[i] = (pixels[offset + i] & 0xFF) / 255f;
        }
        return image;
    }
}
