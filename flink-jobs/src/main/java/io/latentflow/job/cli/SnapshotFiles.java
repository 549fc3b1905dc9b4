package io.latentflow.job.cli;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.ModelSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model snapshots kept in a run folder, one file per step named step-NNNNNNNN.avro, each holding
 * the snapshot exactly as it travelled on the snapshot topic: Avro single-object encoding.
 */
final class SnapshotFiles {
    private static final Pattern FILE_NAME = Pattern.compile("step-(\\d+)\\.avro");

    private SnapshotFiles() {}

    /** Returns the file a snapshot of the given step has in a snapshot folder. */
    static Path fileOf(Path folder, long step) {
        return folder.resolve(String.format(Locale.ROOT, "step-%08d.avro", step));
    }

    /** The step a snapshot file's name gives, if it is named as {@link #fileOf} names them. */
    static Optional<Long> stepOf(Path file) {
        Matcher name = FILE_NAME.matcher(file.getFileName().toString());
        return name.matches() ? Optional.of(Long.parseLong(name.group(1))) : Optional.empty();
    }

    /** Writes a snapshot into the folder, replacing an earlier file of the same step. */
    static Path write(Path folder, ModelSnapshot snapshot) throws IOException {
        return Files.write(
                fileOf(folder, snapshot.getStep()),
                AvroWireFormat.modelSnapshots().encode(snapshot));
    }

    /**
     * Reads a snapshot file, or the one of the given step from a run folder's snapshots.
     *
     * @param path a snapshot file, or a run folder together with a step
     * @param step the step to take from a run folder; ignored for a file
     * @throws IOException naming the path if it is missing or does not decode
     */
    static ModelSnapshot read(Path path, long step) throws IOException {
        Path file = Files.isDirectory(path) ? fileOf(path.resolve("snapshots"), step) : path;
        if (!Files.isRegularFile(file)) {
            throw new IOException(
                    "no model snapshot at "
                            + file
                            + (Files.isDirectory(path)
                                    ? " (train with --snapshot-interval to keep snapshots of"
                                            + " intermediate steps)"
                                    : ""));
        }
        try {
            return AvroWireFormat.modelSnapshots().decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + " is not a model snapshot: " + e.getMessage(), e);
        }
    }
}
