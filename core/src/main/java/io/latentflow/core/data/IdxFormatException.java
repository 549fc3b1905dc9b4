package io.latentflow.core.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when a file is not a well-formed IDX file of the kind asked for: a bad magic number, a
 * data type other than unsigned bytes, a header or body shorter or longer than its dimensions say,
 * or a gzip stream that cannot be decompressed.
 *
 * <p>The message always starts with the file's path, so that one line in a log says which file is
 * broken and how.
 */
public class IdxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final Path path;

    /**
     * Creates an exception about one file.
     *
     * @param path the file that is malformed
     * @param problem what is wrong with it, as a phrase that reads after "path: "
     */
    public IdxFormatException(Path path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    /**
     * Creates an exception about one file, keeping the lower-level failure that revealed it.
     *
     * @param path the file that is malformed
     * @param problem what is wrong with it, as a phrase that reads after "path: "
     * @param cause the exception that revealed the problem
     */
    public IdxFormatException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
    }

    /** Returns the file that is malformed. */
    public Path path() {
        return path;
    }
}
