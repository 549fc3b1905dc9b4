package io.latentflow.job.produce;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the four Fashion-MNIST IDX files, uncompressed, under a folder with small numbers of 28 x
 * 28 images whose bytes follow from their index, so that a test can run the pixel tasks without the
 * real dataset and know every pixel: byte {@code (index * 31 + pixel * 7 + set) % 256}, label
 * {@code index % 10}, where set is 0 for the training and 1 for the test images.
 */
public final class SyntheticFashionMnist {
    private SyntheticFashionMnist() {}

    /** Writes {@code training} training and {@code test} test images with labels into folder. */
    public static void write(Path folder, int training, int test) throws IOException {
        Files.createDirectories(folder);
        writeImages(folder.resolve("train-images-idx3-ubyte"), training, 0);
        writeLabels(folder.resolve("train-labels-idx1-ubyte"), training);
        writeImages(folder.resolve("t10k-images-idx3-ubyte"), test, 1);
        writeLabels(folder.resolve("t10k-labels-idx1-ubyte"), test);
    }

    /** Returns the grey value of pixel {@code pixel} of image {@code index} of a set. */
    public static float pixel(int set, int index, int pixel) {
        return ((index * 31 + pixel * 7 + set) % 256) / 255f;
    }

    private static void writeImages(Path file, int count, int set) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x00000803);
            out.writeInt(count);
            out.writeInt(28);
            out.writeInt(28);
            for (int index = 0; index < count; index++) {
                for (int pixel = 0; pixel < 28 * 28; pixel++) {
                    out.writeByte((index * 31 + pixel * 7 + set) % 256);
                }
            }
        }
    }

    private static void writeLabels(Path file, int count) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x00000801);
            out.writeInt(count);
            for (int index = 0; index < count; index++) {
                out.writeByte(index % 10);
            }
        }
    }
}
