package io.latentflow.core.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * Writes an image to a PNG file. Training writes the same sample and plot files again and again
 * while people watch them, so the image is written to a temporary file beside the target and then
 * moved over it: a viewer never sees a half-written PNG.
 */
public final class PngFile {

    private PngFile() {}

    /**
     * Writes {@code image} as a PNG to {@code file}, creating missing parent directories and
     * replacing an existing file.
     *
     * @param image the image to write
     * @param file where to write it
     * @throws IOException if a directory or the file cannot be written
     */
    public static void write(BufferedImage image, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        Files.createDirectories(directory);

        Path temporary = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(image, "png", temporary.toFile())) {
                throw new IOException(
                        target + ": no PNG writer accepts an image of type " + image.getType());
            }
            move(temporary, target);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Returns {@code image} encoded as the bytes of a PNG file, for sending the picture somewhere
     * other than a file.
     *
     * @param image the image to encode
     * @throws IOException if no PNG writer accepts the image
     */
    public static byte[] bytes(BufferedImage image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("No PNG writer accepts an image of type " + image.getType());
        }
        return bytes.toByteArray();
    }

    private static void move(Path source, Path target) throws IOException {
        try {
            Files.move(
                    source,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Some file systems cannot rename atomically; a plain replacement is still correct,
            // only briefly visible half-written.
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
