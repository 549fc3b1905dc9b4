package io.latentflow.job.cli;

import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.schema.ModelSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * Which snapshot a command loads: the latest, or a given step's, of a run on the snapshot topic, or
 * one kept on disk, as a snapshot file or a run folder's {@code snapshots/} (where a run trained on
 * the embedded broker keeps its model after the broker is gone).
 */
final class SnapshotSelection {

    @Option(
            names = "--snapshot",
            description =
                    "Load a snapshot from disk instead of the topic: a snapshot file, or a run"
                            + " folder (its latest snapshot, or --step's).")
    Path snapshot;

    @Option(
            names = "--bootstrap-servers",
            description = "The Kafka cluster whose snapshot topic holds the run's snapshots.")
    String bootstrapServers;

    @Option(names = "--run-id", description = "The run whose model to load from the topic.")
    String runId;

    @Option(
            names = "--step",
            description = "Load the snapshot of this step (default: the run's latest snapshot).")
    Long step;

    @Option(
            names = "--topic-prefix",
            defaultValue = "latentflow",
            description = "Prefix of the topic names (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    /**
     * Reads the chosen snapshot, from disk with {@code --snapshot}, otherwise off the topic.
     *
     * @throws IllegalArgumentException if neither source, or both, are named
     * @throws IOException naming the path or run if there is no such snapshot
     */
    ModelSnapshot read() throws IOException {
        if (snapshot != null) {
            if (bootstrapServers != null || runId != null) {
                throw new IllegalArgumentException(
                        "give --snapshot, or --bootstrap-servers with --run-id, not both");
            }
            if (!Files.isDirectory(snapshot)) {
                if (step != null) {
                    throw new IllegalArgumentException(
                            "--step picks a snapshot from a run folder, but "
                                    + snapshot
                                    + " is a file");
                }
                return SnapshotFiles.read(snapshot, 0);
            }
            return SnapshotFiles.read(snapshot, step != null ? step : latestStepIn(snapshot));
        }
        if (bootstrapServers == null || runId == null) {
            throw new IllegalArgumentException(
                    "name the model to load: --snapshot <file or run folder>, or"
                            + " --bootstrap-servers with --run-id");
        }
        return SnapshotReader.latest(
                bootstrapServers, TopicNames.withPrefix(topicPrefix).snapshots(), runId, step);
    }

    /** The highest step of the snapshots a run folder keeps. */
    private static long latestStepIn(Path runFolder) throws IOException {
        Path folder = runFolder.resolve("snapshots");
        if (!Files.isDirectory(folder)) {
            throw new IOException(runFolder + " holds no snapshots folder");
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(SnapshotFiles::stepOf)
                    .flatMap(Optional::stream)
                    .max(Long::compare)
                    .orElseThrow(() -> new IOException("no model snapshot in " + folder));
        }
    }

    /** The model a snapshot holds, as the job had it after the snapshot's step. */
    static AdversarialModel modelOf(ModelSnapshot snapshot) {
        AdversarialConfig config = AdversarialConfig.fromDescription(snapshot.getConfiguration());
        return AdversarialModel.fromParameters(config, RunOutputs.parametersOf(snapshot));
    }

    /** One line saying which snapshot was loaded. */
    static String describe(ModelSnapshot snapshot) {
        return String.format(
                "Run %s: snapshot version %d at step %d (%s, seed %d, parameter hash %s)",
                snapshot.getRunId(),
                snapshot.getVersion(),
                snapshot.getStep(),
                snapshot.getModel(),
                snapshot.getSeed(),
                snapshot.getParameterHash());
    }
}
