package io.latentflow.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir Path directory;

    @Test
    void directoryResolvesToTheGzippedFileFirst() throws IOException {
        Path gzipped = Files.createFile(directory.resolve("train-images-idx3-ubyte.gz"));
        Files.createFile(directory.resolve("train-images-idx3-ubyte"));

        assertEquals(gzipped, FashionMnist.trainingImages(directory));
    }

    @Test
    void directoryResolvesToAnUnpackedFileWhenNoGzippedOneExists() throws IOException {
        Path unpacked = Files.createFile(directory.resolve("t10k-labels-idx1-ubyte"));

        assertEquals(unpacked, FashionMnist.testLabels(directory));
    }

    @Test
    void eachMethodLooksForItsOwnFileName() throws IOException {
        Path trainingLabels = Files.createFile(directory.resolve("train-labels-idx1-ubyte.gz"));
        Path testImages = Files.createFile(directory.resolve("t10k-images-idx3-ubyte.gz"));

        assertEquals(trainingLabels, FashionMnist.trainingLabels(directory));
        assertEquals(testImages, FashionMnist.testImages(directory));
    }

    @Test
    void existingFileIsReturnedAsItIs() throws IOException {
        Path file = Files.createFile(directory.resolve("my-images.bin"));

        assertEquals(file, FashionMnist.trainingImages(file));
    }

    @Test
    void directoryWithoutTheFileNamesBothPathsTriedAndThePackage() {
        NoSuchFileException e =
                assertThrows(NoSuchFileException.class, () -> FashionMnist.testImages(directory));

        String message = e.getMessage();
        assertTrue(message.contains(directory.resolve("t10k-images-idx3-ubyte.gz").toString()));
        assertTrue(message.contains(directory.resolve("t10k-images-idx3-ubyte") + ")"));
        assertTrue(message.contains("dataset-fashion-mnist"), message);
    }

    @Test
    void missingPathNamesItAndThePackage() {
        Path absent = directory.resolve("absent");

        NoSuchFileException e =
                assertThrows(NoSuchFileException.class, () -> FashionMnist.trainingImages(absent));

        assertTrue(e.getMessage().startsWith(absent + ": no such file or directory"));
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void installedTrainingSetHasSixtyThousandImagesOfTwentyEightSquareWithLabelsZeroToNine()
            throws IOException {
        Assumptions.assumeTrue(
                Files.isDirectory(FashionMnist.DEFAULT_DIRECTORY),
                "dataset-fashion-mnist is not installed");

        IdxImages images =
                IdxReader.readImages(FashionMnist.trainingImages(FashionMnist.DEFAULT_DIRECTORY));
        int[] labels =
                IdxReader.readLabels(FashionMnist.trainingLabels(FashionMnist.DEFAULT_DIRECTORY));

        assertEquals(60_000, images.count());
        assertEquals(28, images.height());
        assertEquals(28, images.width());
        assertEquals(60_000, labels.length);
        assertEquals(0, Arrays.stream(labels).min().orElseThrow());
        assertEquals(9, Arrays.stream(labels).max().orElseThrow());
        // Each of the ten classes has exactly 6,000 training images.
        int[] perClass = new int[10];
        for (int label : labels) {
            perClass[label]++;
        }
        assertTrue(Arrays.stream(perClass).allMatch(n -> n == 6_000), Arrays.toString(perClass));
    }

    @Test
    void installedTestSetHasTenThousandImagesAndLabels() throws IOException {
        Assumptions.assumeTrue(
                Files.isDirectory(FashionMnist.DEFAULT_DIRECTORY),
                "dataset-fashion-mnist is not installed");

        IdxImages images =
                IdxReader.readImages(FashionMnist.testImages(FashionMnist.DEFAULT_DIRECTORY));
        int[] labels =
                IdxReader.readLabels(FashionMnist.testLabels(FashionMnist.DEFAULT_DIRECTORY));

        assertEquals(10_000, images.count());
        assertEquals(10_000, labels.length);
    }
}
