package io.latentflow.job.cli;

import io.latentflow.core.model.AliConfig;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.TrainerSettings;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Option;

/** The options that say what a run trains, shared by every command that starts or feeds one. */
final class TrainingOptions {

    @Option(
            names = "--steps",
            defaultValue = "3000",
            description =
                    "Mini-batches to train, or for produce to write (default: ${DEFAULT-VALUE})."
                            + " For job, 0 trains for as long as records arrive.")
    long steps;

    @Option(
            names = "--batch-size",
            defaultValue = "100",
            description = "Examples per mini-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seed of the run: the model's initial weights, the order of the data and every"
                            + " latent draw follow from it (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--latent-dim",
            defaultValue = "64",
            description = "Dimension of the latent code z (default: ${DEFAULT-VALUE}).")
    int latentDim;

    @Option(
            names = "--hidden-units",
            defaultValue = "1024",
            description =
                    "Units in each of the two hidden layers of G, E and D (default:"
                            + " ${DEFAULT-VALUE}).")
    int hiddenUnits;

    @Option(
            names = "--learning-rate",
            defaultValue = "2e-4",
            description =
                    "Adam's learning rate for all three networks (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--bootstrap-servers",
            description =
                    "A Kafka cluster (host:port,...). produce and job need one; without it, train"
                            + " starts a broker in its own process on a free loopback port.")
    String bootstrapServers;

    @Option(
            names = "--run-id",
            description =
                    "Name of the run in every record (default: ali-seed<SEED>-<date and time>).")
    String runId;

    @Option(
            names = "--topic-prefix",
            defaultValue = "latentflow",
            description =
                    "Prefix of the topic names: <prefix>.data, .latent, .metrics, .snapshots,"
                            + " .dead-letter (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(
            names = "--metrics-interval",
            defaultValue = "10",
            description = "Write a metrics record every N steps (default: ${DEFAULT-VALUE}).")
    int metricsInterval;

    @Option(
            names = "--snapshot-interval",
            defaultValue = "0",
            description =
                    "Write a model snapshot every N steps; 0 writes one after the last step only"
                            + " (default: ${DEFAULT-VALUE}).")
    int snapshotInterval;

    /**
     * Checks every value before anything starts, so that a mistake costs a second, not a broker
     * start.
     *
     * @param stepsMayBeZero whether 0 steps means "without end" for the command
     */
    void validate(boolean stepsMayBeZero) {
        if (steps < 0 || (steps == 0 && !stepsMayBeZero)) {
            throw new IllegalArgumentException("--steps must be at least 1, was " + steps);
        }
        trainerSettings();
    }

    AliConfig modelConfig() {
        return AliConfig.mlpDefaults()
                .withLatentDim(latentDim)
                .withHiddenUnits(hiddenUnits)
                .withLearningRate(learningRate);
    }

    TrainerSettings trainerSettings() {
        return TrainerSettings.of(
                modelConfig(), batchSize, steps, metricsInterval, snapshotInterval);
    }

    TopicNames topics() {
        return TopicNames.withPrefix(topicPrefix);
    }

    /** The run id given, or one made from the seed and the time the run started. */
    String runIdOrDefault() {
        if (runId == null) {
            runId =
                    "ali-seed"
                            + seed
                            + "-"
                            + LocalDateTime.now()
                                    .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        }
        return runId;
    }

    /** Examples (and latent draws) the run consumes. */
    long examples() {
        return steps * batchSize;
    }
}
