package io.latentflow.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {

    @TempDir Path directory;

    /** A 2 x 3 image filled with one value. */
    private static float[] uniform(float value) {
        float[] image = new float[6];
        Arrays.fill(image, value);
        return image;
    }

    private static int gray(BufferedImage image, int x, int y) {
        return image.getRaster().getSample(x, y, 0);
    }

    @Test
    void gridSizeCountsTilesPaddingAndScale() {
        List<float[]> images = List.of(uniform(0), uniform(0), uniform(0), uniform(0), uniform(0));

        BufferedImage grid = ImageGrid.compose(images, 2, 3, 2, 1, 4);

        // 2 columns of (3 * 4 + 1) plus 1; 3 rows of (2 * 4 + 1) plus 1.
        assertEquals(27, grid.getWidth());
        assertEquals(28, grid.getHeight());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, grid.getType());
    }

    @Test
    void tilesFillRowsInOrderWithTheirGrayLevel() {
        List<float[]> images = List.of(uniform(0f), uniform(0.2f), uniform(0.6f), uniform(1f));

        BufferedImage grid = ImageGrid.compose(images, 2, 3, 3, 2, 1);

        // Tile (row r, column c) starts at x = 2 + 5c, y = 2 + 4r.
        assertEquals(0, gray(grid, 2, 2));
        assertEquals(51, gray(grid, 7, 2));
        assertEquals(153, gray(grid, 12 + 2, 2 + 1));
        assertEquals(255, gray(grid, 2, 6));
        assertEquals(ImageGrid.PADDING_GRAY, gray(grid, 0, 0));
        assertEquals(ImageGrid.PADDING_GRAY, gray(grid, 5, 2));
        // The unused third tile of the second row stays padding.
        assertEquals(ImageGrid.PADDING_GRAY, gray(grid, 12, 6));
    }

    @Test
    void pixelsAreRowMajorAndEnlargedByScale() {
        float[] image = {0, 1, 0, 0, 0, 0.5f};

        BufferedImage grid = ImageGrid.compose(List.of(image), 2, 3, 1, 0, 2);

        // Pixel (row 0, column 1) covers grid x 2..3, y 0..1; pixel (1, 2) covers x 4..5, y 2..3.
        assertEquals(255, gray(grid, 2, 0));
        assertEquals(255, gray(grid, 3, 1));
        assertEquals(0, gray(grid, 1, 1));
        assertEquals(128, gray(grid, 5, 3));
        assertEquals(0, gray(grid, 5, 1));
    }

    @Test
    void valuesOutsideTheUnitIntervalAreClampedAndNanIsBlack() {
        float[] image = {-3f, 7f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0};

        BufferedImage grid = ImageGrid.compose(List.of(image), 2, 3, 1, 0, 1);

        assertEquals(0, gray(grid, 0, 0));
        assertEquals(255, gray(grid, 1, 0));
        assertEquals(0, gray(grid, 2, 0));
        assertEquals(255, gray(grid, 0, 1));
        assertEquals(0, gray(grid, 1, 1));
    }

    @Test
    void pairsPutEachReconstructionRightOfItsInput() {
        List<float[]> inputs = List.of(uniform(0.2f), uniform(0.4f), uniform(0.6f));
        List<float[]> reconstructions = List.of(uniform(0.8f), uniform(1f), uniform(0f));

        BufferedImage grid = ImageGrid.composePairs(inputs, reconstructions, 2, 3, 2, 1, 1);

        // Four tiles of width 3 + 1 per row, two rows.
        assertEquals(17, grid.getWidth());
        assertEquals(7, grid.getHeight());
        assertEquals(51, gray(grid, 1, 1));
        assertEquals(204, gray(grid, 5, 1));
        assertEquals(102, gray(grid, 9, 1));
        assertEquals(255, gray(grid, 13, 1));
        assertEquals(153, gray(grid, 1, 4));
        assertEquals(0, gray(grid, 5, 4));
    }

    @Test
    void pairsOfUnequalListsAreRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ImageGrid.composePairs(
                                        List.of(uniform(0), uniform(0)),
                                        List.of(uniform(0)),
                                        2,
                                        3,
                                        1,
                                        1,
                                        1));

        assertEquals("2 inputs but 1 reconstructions; each input needs one", e.getMessage());
    }

    @Test
    void imageOfTheWrongLengthIsRefusedByIndex() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ImageGrid.compose(List.of(uniform(0), new float[5]), 2, 3, 2, 1, 1));

        assertEquals("image 1 has 5 values, expected 2 x 3 = 6", e.getMessage());
    }

    @Test
    void pngWrittenIntoNewDirectoriesReadsBackWithTheSamePixels() throws IOException {
        BufferedImage grid =
                ImageGrid.compose(List.of(uniform(0.2f), uniform(0.6f)), 2, 3, 2, 1, 3);
        Path file = directory.resolve("run-1/samples/step-100.png");

        ImageGrid.writePng(grid, file);
        BufferedImage read = ImageIO.read(file.toFile());

        assertEquals(grid.getWidth(), read.getWidth());
        assertEquals(grid.getHeight(), read.getHeight());
        assertEquals(51, gray(read, 1, 1));
        assertEquals(153, gray(read, 11, 6));
        assertEquals(ImageGrid.PADDING_GRAY, gray(read, 0, 0));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void pngReplacesAnExistingFile() throws IOException {
        Path file = directory.resolve("grid.png");
        Files.writeString(file, "not a png");

        ImageGrid.writePng(ImageGrid.compose(List.of(uniform(1f)), 2, 3, 1, 0, 1), file);

        BufferedImage read = ImageIO.read(file.toFile());
        assertTrue(read != null, "file should now be a PNG");
        assertEquals(255, gray(read, 2, 1));
    }
}
