package io.latentflow.job.cli;

import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.schema.ModelSnapshot;
import java.io.IOException;
import picocli.CommandLine.Option;

/** Which run's snapshot a command loads from the snapshot topic: the latest, or a given step's. */
final class SnapshotSelection {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "The Kafka cluster whose snapshot topic holds the run's snapshots.")
    String bootstrapServers;

    @Option(names = "--run-id", required = true, description = "The run whose model to load.")
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

    /** Reads the chosen snapshot off the topic. */
    ModelSnapshot read() throws IOException {
        return SnapshotReader.latest(
                bootstrapServers, TopicNames.withPrefix(topicPrefix).snapshots(), runId, step);
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
