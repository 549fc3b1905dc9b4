package io.latentflow.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir Path directory;

    /** Two 2 x 3 images with distinct values, including ones above 127 to catch sign errors. */
    private static final byte[] PIXELS = {
        0, 1, 2, 3, 4, 5, (byte) 255, (byte) 128, (byte) 200, 10, 20, 127
    };

    @Test
    void plainImageFileReadsBackItsDimensionsAndPixels() throws IOException {
        Path file = write("images", header(0x803, 2, 2, 3), PIXELS);

        IdxImages images = IdxReader.readImages(file);

        assertEquals(file, images.source());
        assertEquals(2, images.count());
        assertEquals(2, images.height());
        assertEquals(3, images.width());
        assertEquals(6, images.pixelsPerImage());
        assertArrayEquals(PIXELS, images.pixels());
    }

    @Test
    void gzippedImageFileIsRecognisedByContentNotByName() throws IOException {
        Path file = writeGzipped("images.idx", concat(header(0x803, 2, 2, 3), PIXELS));

        IdxImages images = IdxReader.readImages(file);

        assertEquals(2, images.count());
        assertArrayEquals(PIXELS, images.pixels());
    }

    @Test
    void imageIsScaledRowMajorToTheUnitInterval() throws IOException {
        IdxImages images = IdxReader.readImages(write("images", header(0x803, 2, 2, 3), PIXELS));

        float[] second = images.image(1);

        assertArrayEquals(
                new float[] {1f, 128 / 255f, 200 / 255f, 10 / 255f, 20 / 255f, 127 / 255f},
                second,
                0f);
        assertEquals(2 / 255f, images.image(0)[2], 0f);
    }

    @Test
    void imageIndexOutsideTheStackIsRefused() throws IOException {
        IdxImages images = IdxReader.readImages(write("images", header(0x803, 2, 2, 3), PIXELS));

        assertThrows(IndexOutOfBoundsException.class, () -> images.image(2));
    }

    @Test
    void labelsAreReadAsUnsignedValues() throws IOException {
        byte[] labels = {9, 0, 3, (byte) 250};
        Path plain = write("labels", header(0x801, 4), labels);
        Path gzipped = writeGzipped("labels.gz", concat(header(0x801, 4), labels));

        assertArrayEquals(new int[] {9, 0, 3, 250}, IdxReader.readLabels(plain));
        assertArrayEquals(new int[] {9, 0, 3, 250}, IdxReader.readLabels(gzipped));
    }

    @Test
    void emptyImageStackIsValid() throws IOException {
        IdxImages images = IdxReader.readImages(write("empty", header(0x803, 0, 28, 28)));

        assertEquals(0, images.count());
        assertEquals(784, images.pixelsPerImage());
        assertEquals(0, images.pixels().length);
    }

    @Test
    void missingFileMessageNamesThePath() {
        Path file = directory.resolve("absent-images");

        NoSuchFileException e =
                assertThrows(NoSuchFileException.class, () -> IdxReader.readImages(file));

        assertEquals(file + ": no such file", e.getMessage());
    }

    @Test
    void directoryIsNotMistakenForAFile() {
        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(directory));

        assertMessage(e, directory, "is a directory");
    }

    @Test
    void badMagicNumberIsReportedWithTheValueSeen() throws IOException {
        Path file =
                write("text", "hello, world".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));

        assertMessage(e, file, "bad magic number 0x68656C6C, expected 0x00000803");
    }

    @Test
    void labelFileReadAsImagesIsReportedAsTheWrongNumberOfDimensions() throws IOException {
        Path file = write("labels", header(0x801, 3), new byte[] {1, 2, 3});

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));

        assertMessage(e, file, "bad magic number 0x00000801: 1 dimensions, expected 3");
    }

    @Test
    void floatDataTypeIsReportedAsWrongDataType() throws IOException {
        Path file = write("floats", header(0x0D03, 1, 1, 1), new byte[4]);

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));

        assertMessage(e, file, "wrong data type 0x0D in magic number 0x00000D03");
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        Path file = write("short-header", Arrays.copyOf(header(0x803, 2, 2, 3), 10));

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));

        assertMessage(e, file, "truncated header: expected 4 bytes of size of dimension 1");
    }

    @Test
    void truncatedPixelsAreReportedWithExpectedAndFoundCounts() throws IOException {
        Path file = write("short", header(0x803, 2, 2, 3), Arrays.copyOf(PIXELS, 7));

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));

        assertMessage(e, file, "truncated: expected 12 bytes of pixels and found 7");
    }

    @Test
    void headerClaimingHugeSizesFailsOnTheMissingBytesNotOnMemory() throws IOException {
        Path file = write("huge", header(0x803, 100_000, 100, 100), PIXELS);

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));

        assertMessage(e, file, "truncated: expected 1000000000 bytes of pixels and found 12");
    }

    @Test
    void sizesBeyondAJavaArrayAreReported() throws IOException {
        Path file = write("too-big", header(0x803, 1_000_000, 1000, 1000));

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));

        assertMessage(e, file, "exceed the largest Java array");
    }

    @Test
    void negativeSizeIsReported() throws IOException {
        Path file = write("negative", header(0x801, -1));

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file));

        assertMessage(e, file, "negative size -1 for dimension 0");
    }

    @Test
    void trailingGarbageIsReportedWithItsLength() throws IOException {
        Path file = write("long", header(0x801, 2), new byte[] {1, 2, 3, 4, 5});

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file));

        assertMessage(e, file, "trailing garbage: 3 bytes after the expected 2 bytes of labels");
    }

    @Test
    void gzipStreamCutShortIsReportedAsCorrupt() throws IOException {
        byte[] gzipped = gzip(concat(header(0x803, 2, 2, 3), PIXELS));
        Path file = write("cut.gz", Arrays.copyOf(gzipped, gzipped.length - 12));

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));

        assertMessage(e, file, "corrupt gzip stream: compressed data ends early");
    }

    @Test
    void gzipStreamWithDamagedDataIsReportedAsCorrupt() throws IOException {
        byte[] gzipped = gzip(concat(header(0x803, 2, 2, 3), PIXELS));
        // Flipping bits in the checksum of the gzip trailer leaves the data readable but wrong.
        gzipped[gzipped.length - 8] ^= (byte) 0xFF;
        Path file = write("damaged.gz", gzipped);

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));

        assertMessage(e, file, "corrupt gzip stream: Corrupt GZIP trailer");
    }

    private static void assertMessage(IOException e, Path file, String problem) {
        assertTrue(
                e.getMessage().startsWith(file.toString() + ": "),
                () -> "message should start with the path: " + e.getMessage());
        assertTrue(
                e.getMessage().contains(problem),
                () -> "message should contain '" + problem + "': " + e.getMessage());
    }

    private static byte[] header(int magic, int... sizes) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * (1 + sizes.length));
        buffer.putInt(magic);
        for (int size : sizes) {
            buffer.putInt(size);
        }
        return buffer.array();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(directory.resolve(name), bytes);
    }

    private Path write(String name, byte[] header, byte[] body) throws IOException {
        return write(name, concat(header, body));
    }

    private Path writeGzipped(String name, byte[] bytes) throws IOException {
        return write(name, gzip(bytes));
    }
}
