package io.latentflow.core.data;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Finds the four IDX files of Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017, <a
 * href="https://arxiv.org/abs/1708.07747">arXiv:1708.07747</a>): 60,000 training and 10,000 test
 * images of 28 x 28 pixels, with labels from 0 to 9. Read them with {@link IdxReader}.
 *
 * <p>Each method takes either a directory holding the files under their usual names, gzipped or
 * not, or the path of the file itself, so that a command-line option can name either. A missing
 * file gets a {@link NoSuchFileException} that names every path tried and the Debian package that
 * provides them.
 */
public final class FashionMnist {

    /** Where the Debian package dataset-fashion-mnist installs the files. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    private static final String TRAINING_IMAGES = "train-images-idx3-ubyte";
    private static final String TRAINING_LABELS = "train-labels-idx1-ubyte";
    private static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    private static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private static final String INSTALL_HINT =
            "the Debian package dataset-fashion-mnist installs the Fashion-MNIST files under "
                    + DEFAULT_DIRECTORY;

    private FashionMnist() {}

    /**
     * Returns the file of the 60,000 training images.
     *
     * @param directoryOrFile a directory holding {@code train-images-idx3-ubyte.gz} (or the same
     *     name without {@code .gz}), or the file itself
     * @throws NoSuchFileException if no such file exists
     */
    public static Path trainingImages(Path directoryOrFile) throws NoSuchFileException {
        return locate(directoryOrFile, TRAINING_IMAGES);
    }

    /**
     * Returns the file of the 60,000 training labels.
     *
     * @param directoryOrFile a directory holding {@code train-labels-idx1-ubyte.gz} (or the same
     *     name without {@code .gz}), or the file itself
     * @throws NoSuchFileException if no such file exists
     */
    public static Path trainingLabels(Path directoryOrFile) throws NoSuchFileException {
        return locate(directoryOrFile, TRAINING_LABELS);
    }

    /**
     * Returns the file of the 10,000 test images.
     *
     * @param directoryOrFile a directory holding {@code t10k-images-idx3-ubyte.gz} (or the same
     *     name without {@code .gz}), or the file itself
     * @throws NoSuchFileException if no such file exists
     */
    public static Path testImages(Path directoryOrFile) throws NoSuchFileException {
        return locate(directoryOrFile, TEST_IMAGES);
    }

    /**
     * Returns the file of the 10,000 test labels.
     *
     * @param directoryOrFile a directory holding {@code t10k-labels-idx1-ubyte.gz} (or the same
     *     name without {@code .gz}), or the file itself
     * @throws NoSuchFileException if no such file exists
     */
    public static Path testLabels(Path directoryOrFile) throws NoSuchFileException {
        return locate(directoryOrFile, TEST_LABELS);
    }

    private static Path locate(Path directoryOrFile, String name) throws NoSuchFileException {
        if (!Files.isDirectory(directoryOrFile)) {
            if (Files.exists(directoryOrFile)) {
                return directoryOrFile;
            }
            throw new NoSuchFileException(
                    directoryOrFile.toString(), null, "no such file or directory; " + INSTALL_HINT);
        }

        // The Debian package ships the gzipped files; an unpacked copy is accepted as well.
        List<Path> candidates =
                List.of(directoryOrFile.resolve(name + ".gz"), directoryOrFile.resolve(name));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        String tried = candidates.stream().map(Path::toString).collect(Collectors.joining(", "));
        throw new NoSuchFileException(
                directoryOrFile.toString(),
                null,
                "directory has no " + name + " file (tried " + tried + "); " + INSTALL_HINT);
    }
}
