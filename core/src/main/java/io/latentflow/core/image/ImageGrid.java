package io.latentflow.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lays out grayscale images as tiles of one grid image, for looking at samples G(z) and
 * reconstructions G(E(x)) during training.
 *
 * <p>Each image is a row-major {@code float[]} of {@code height * width} values in [0, 1], 0 black
 * and 1 white; values outside are clamped and NaN is drawn black. Tiles fill the grid row by row,
 * each enlarged {@code scale} times by repeating pixels, and are separated and surrounded by {@code
 * padding} pixels of {@link #PADDING_GRAY}. The grid is therefore {@code columns * (width * scale +
 * padding) + padding} pixels wide and {@code rows * (height * scale + padding) + padding} high,
 * where {@code rows} is the number of images divided by {@code columns}, rounded up; tiles left
 * over in the last row stay padding gray.
 */
public final class ImageGrid {

    /**
     * The gray level of padding, on the 0 to 255 scale. Mid-gray, so that the border of a tile
     * shows against both the black background and the white garment of a Fashion-MNIST image.
     */
    public static final int PADDING_GRAY = 128;

    private ImageGrid() {}

    /**
     * Composes images into a grid.
     *
     * @param images the images, each of {@code height * width} values
     * @param height rows of pixels in each image
     * @param width columns of pixels in each image
     * @param columns how many tiles per row of the grid
     * @param padding pixels between tiles and around the grid, 0 or more
     * @param scale how many grid pixels each image pixel becomes along each axis, 1 or more
     * @return a grayscale image of the whole grid
     * @throws IllegalArgumentException if there are no images, an image has the wrong length or a
     *     size argument is out of range
     */
    public static BufferedImage compose(
            List<float[]> images, int height, int width, int columns, int padding, int scale) {
        checkLayout(images, height, width, columns, padding, scale);

        int rows = (images.size() + columns - 1) / columns;
        int tileHeight = height * scale + padding;
        int tileWidth = width * scale + padding;
        int gridWidth = Math.multiplyExact(columns, tileWidth) + padding;
        int gridHeight = Math.multiplyExact(rows, tileHeight) + padding;

        BufferedImage grid = new BufferedImage(gridWidth, gridHeight, BufferedImage.TYPE_BYTE_GRAY);
        byte[] raster = ((DataBufferByte) grid.getRaster().getDataBuffer()).getData();
        Arrays.fill(raster, (byte) PADDING_GRAY);
        for (int i = 0; i < images.size(); i++) {
            int top = padding + (i / columns) * tileHeight;
            int left = padding + (i % columns) * tileWidth;
            drawTile(raster, gridWidth, top, left, images.get(i), height, width, scale);
        }
        return grid;
    }

    /**
     * Composes inputs and their reconstructions into a grid in which each input is immediately
     * followed, to its right, by its reconstruction: tiles alternate input, reconstruction, input,
     * reconstruction along every row.
     *
     * @param inputs the images x
     * @param reconstructions the images G(E(x)), one per input and in the same order
     * @param height rows of pixels in each image
     * @param width columns of pixels in each image
     * @param pairColumns how many input-reconstruction pairs per row of the grid
     * @param padding pixels between tiles and around the grid, 0 or more
     * @param scale how many grid pixels each image pixel becomes along each axis, 1 or more
     * @return a grayscale image of the whole grid, {@code 2 * pairColumns} tiles wide
     * @throws IllegalArgumentException if the lists differ in length or {@link #compose} would
     *     refuse the images
     */
    public static BufferedImage composePairs(
            List<float[]> inputs,
            List<float[]> reconstructions,
            int height,
            int width,
            int pairColumns,
            int padding,
            int scale) {
        if (inputs.size() != reconstructions.size()) {
            throw new IllegalArgumentException(
                    String.format(
                            "%d inputs but %d reconstructions; each input needs one",
                            inputs.size(), reconstructions.size()));
        }
        if (pairColumns < 1) {
            throw new IllegalArgumentException(
                    "pairColumns must be at least 1, got " + pairColumns);
        }
        List<float[]> interleaved = new ArrayList<>(2 * inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            interleaved.add(inputs.get(i));
            interleaved.add(reconstructions.get(i));
        }
        return compose(interleaved, height, width, 2 * pairColumns, padding, scale);
    }

    /**
     * Writes a grid, or any image, as a PNG file, creating missing parent directories.
     *
     * @param image the image to write
     * @param file where to write it; an existing file is replaced
     * @throws IOException if the file cannot be written
     */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        PngFile.write(image, file);
    }

    /** Returns the 0 to 255 gray level of a value in [0, 1], clamping and drawing NaN black. */
    static int grayLevel(float value) {
        if (!(value > 0f)) {
            return 0;
        }
        if (value >= 1f) {
            return 255;
        }
        return Math.round(value * 255f);
    }

    private static void drawTile(
            byte[] raster,
            int gridWidth,
            int top,
            int left,
            float[] image,
            int height,
            int width,
            int scale) {
        for (int y = 0; y < height * scale; y++) {
            int sourceRow = (y / scale) * width;
            int targetRow = (top + y) * gridWidth + left;
            for (int x = 0; x < width * scale; x++) {
                raster[targetRow + x] = (byte) grayLevel(image[sourceRow + x / scale]);
            }
        }
    }

    private static void checkLayout(
            List<float[]> images, int height, int width, int columns, int padding, int scale) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to compose");
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    String.format("image size must be positive, got %d x %d", height, width));
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be at least 1, got " + columns);
        }
        if (padding < 0) {
            throw new IllegalArgumentException("padding must not be negative, got " + padding);
        }
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be at least 1, got " + scale);
        }
        for (int i = 0; i < images.size(); i++) {
            float[] image = images.get(i);
            if (image.length != height * width) {
                throw new IllegalArgumentException(
                        String.format(
                                "image %d has %d values, expected %d x %d = %d",
                                i, image.length, height, width, height * width));
            }
        }
    }
}
