package io.latentflow.job.produce;

/**
 * A dataset of equally sized grey-scale images, read by index, that the {@link DataSampleProducer}
 * streams into the data topic.
 */
public interface ImageSource {

    /** Returns the number of images; indices run from 0 to {@code count() - 1}. */
    int count();

    /** Returns the height of every image in pixels. */
    int height();

    /** Returns the width of every image in pixels. */
    int width();

    /**
     * Returns one image as {@code height() * width()} row-major intensities scaled to [0, 1].
     *
     * @param index the image's position in the dataset
     */
    float[] image(int index);

    /**
     * Returns the class label of one image, or -1 when the dataset has none.
     *
     * @param index the image's position in the dataset
     */
    int label(int index);
}
