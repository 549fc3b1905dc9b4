package io.latentflow.core.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number (two zero bytes, a
 * data-type code and the number of dimensions), one big-endian 32-bit size per dimension, then the
 * values in row-major order. Only unsigned-byte data (type code 0x08) is supported: 3-d image
 * stacks (magic 0x00000803) and 1-d label vectors (magic 0x00000801). The format is described at <a
 * href="http://yann.lecun.com/exdb/mnist/">http://yann.lecun.com/exdb/mnist/</a>.
 *
 * <p>A file may be gzipped or not; which one is decided by its first two bytes (the gzip magic 0x1f
 * 0x8b), not by its name, because distributions unpack and rename these files freely.
 *
 * <p>Every failure is one {@link IOException} whose message starts with the path and says what was
 * wrong: a missing file ({@link NoSuchFileException}), an unreadable one ({@link
 * AccessDeniedException}) or a malformed one ({@link IdxFormatException}).
 */
public final class IdxReader {

    /** Magic number of a 3-d unsigned-byte array: a stack of grayscale images. */
    public static final int IMAGES_MAGIC = 0x00000803;

    /** Magic number of a 1-d unsigned-byte array: one label per image. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int UNSIGNED_BYTE_TYPE = 0x08;
    private static final int GZIP_FIRST_BYTE = 0x1f;
    private static final int GZIP_SECOND_BYTE = 0x8b;
    private static final int BUFFER_SIZE = 1 << 16;

    /**
     * The first allocation for the body. The header's sizes are not trusted for the allocation, so
     * a corrupt header claiming gigabytes fails on the missing bytes instead of on memory.
     */
    private static final int INITIAL_BODY_CAPACITY = 1 << 20;

    private IdxReader() {}

    /**
     * Reads a stack of grayscale images from an IDX file with magic number 0x00000803.
     *
     * @param path the file, gzipped or not
     * @return the images, with the header's dimensions as count, height and width
     * @throws NoSuchFileException if the file does not exist
     * @throws AccessDeniedException if the file cannot be read
     * @throws IdxFormatException if the file is not a well-formed 3-d unsigned-byte IDX file
     * @throws IOException if reading fails for another reason
     */
    public static IdxImages readImages(Path path) throws IOException {
        int[] dimensions = new int[3];
        byte[] pixels = read(path, 3, dimensions, "pixels");
        return new IdxImages(path, dimensions[0], dimensions[1], dimensions[2], pixels);
    }

    /**
     * Reads labels from an IDX file with magic number 0x00000801.
     *
     * @param path the file, gzipped or not
     * @return the labels as unsigned values from 0 to 255
     * @throws NoSuchFileException if the file does not exist
     * @throws AccessDeniedException if the file cannot be read
     * @throws IdxFormatException if the file is not a well-formed 1-d unsigned-byte IDX file
     * @throws IOException if reading fails for another reason
     */
    public static int[] readLabels(Path path) throws IOException {
        byte[] bytes = read(path, 1, new int[1], "labels");
        int[] labels = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            labels[i] = bytes[i] & 0xFF;
        }
        return labels;
    }

    /**
     * Reads the header and body of an unsigned-byte IDX file of the given rank, storing the
     * header's sizes in {@code dimensions} and returning the body.
     */
    private static byte[] read(Path path, int rank, int[] dimensions, String what)
            throws IOException {
        checkReadableFile(path);
        boolean gzipped = startsWithGzipMagic(path);
        try (InputStream file = Files.newInputStream(path);
                InputStream raw = gzipped ? new GZIPInputStream(file, BUFFER_SIZE) : file;
                InputStream in = new BufferedInputStream(raw, BUFFER_SIZE)) {
            int expected = readHeader(path, in, rank, dimensions, what);
            byte[] body = readUpTo(in, expected);
            if (body.length < expected) {
                throw new IdxFormatException(
                        path,
                        String.format(
                                "truncated: expected %d bytes of %s and found %d",
                                expected, what, body.length));
            }
            long trailing = in.transferTo(OutputStream.nullOutputStream());
            if (trailing > 0) {
                throw new IdxFormatException(
                        path,
                        String.format(
                                "trailing garbage: %d bytes after the expected %d bytes of %s",
                                trailing, expected, what));
            }
            return body;
        } catch (ZipException | EOFException e) {
            // A plain file never gets here: the header reads are checked and the body reads stop
            // at end of file, so these come from the gzip decoder.
            if (!gzipped) {
                throw e;
            }
            String problem =
                    e instanceof EOFException
                            ? "corrupt gzip stream: compressed data ends early, the file is"
                                    + " probably cut short ("
                                    + e.getMessage()
                                    + ")"
                            : "corrupt gzip stream: " + e.getMessage();
            throw new IdxFormatException(path, problem, e);
        }
    }

    private static void checkReadableFile(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        if (Files.isDirectory(path)) {
            throw new IdxFormatException(path, "is a directory, not an IDX file");
        }
        if (!Files.isReadable(path)) {
            throw new AccessDeniedException(path.toString(), null, "not readable");
        }
    }

    private static boolean startsWithGzipMagic(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.read() == GZIP_FIRST_BYTE && in.read() == GZIP_SECOND_BYTE;
        }
    }

    /**
     * Reads and checks the magic number and sizes, and returns the number of body bytes they
     * announce.
     */
    private static int readHeader(
            Path path, InputStream in, int rank, int[] dimensions, String what) throws IOException {
        int magic = readHeaderInt(path, in, "magic number");
        int expectedMagic = (UNSIGNED_BYTE_TYPE << 8) | rank;
        if ((magic >>> 16) != 0) {
            throw new IdxFormatException(
                    path,
                    String.format(
                            "bad magic number 0x%08X, expected 0x%08X (not an IDX file)",
                            magic, expectedMagic));
        }
        int type = (magic >>> 8) & 0xFF;
        if (type != UNSIGNED_BYTE_TYPE) {
            throw new IdxFormatException(
                    path,
                    String.format(
                            "wrong data type 0x%02X in magic number 0x%08X, expected 0x%02X"
                                    + " (unsigned bytes)",
                            type, magic, UNSIGNED_BYTE_TYPE));
        }
        int fileRank = magic & 0xFF;
        if (fileRank != rank) {
            throw new IdxFormatException(
                    path,
                    String.format(
                            "bad magic number 0x%08X: %d dimensions, expected %d for %s"
                                    + " (magic 0x%08X)",
                            magic, fileRank, rank, what, expectedMagic));
        }

        long size = 1;
        for (int i = 0; i < rank; i++) {
            dimensions[i] = readHeaderInt(path, in, "size of dimension " + i);
            if (dimensions[i] < 0) {
                throw new IdxFormatException(
                        path, String.format("negative size %d for dimension %d", dimensions[i], i));
            }
            size *= dimensions[i];
            if (size > Integer.MAX_VALUE - 8) {
                throw new IdxFormatException(
                        path,
                        "sizes "
                                + Arrays.toString(Arrays.copyOf(dimensions, i + 1))
                                + " exceed the largest Java array");
            }
        }
        return (int) size;
    }

    private static int readHeaderInt(Path path, InputStream in, String field) throws IOException {
        byte[] bytes = in.readNBytes(Integer.BYTES);
        if (bytes.length < Integer.BYTES) {
            throw new IdxFormatException(
                    path,
                    String.format(
                            "truncated header: expected 4 bytes of %s and found %d",
                            field, bytes.length));
        }
        return ((bytes[0] & 0xFF) << 24)
                | ((bytes[1] & 0xFF) << 16)
                | ((bytes[2] & 0xFF) << 8)
                | (bytes[3] & 0xFF);
    }

    /**
     * Reads up to {@code limit} bytes, fewer only at end of stream, growing the buffer as the bytes
     * actually arrive.
     */
    private static byte[] readUpTo(InputStream in, int limit) throws IOException {
        byte[] buffer = new byte[Math.min(limit, INITIAL_BODY_CAPACITY)];
        int filled = 0;
        while (true) {
            filled += in.readNBytes(buffer, filled, buffer.length - filled);
            if (filled < buffer.length || buffer.length == limit) {
                break;
            }
            buffer = Arrays.copyOf(buffer, (int) Math.min(limit, 2L * buffer.length));
        }
        return filled == buffer.length ? buffer : Arrays.copyOf(buffer, filled);
    }
}
