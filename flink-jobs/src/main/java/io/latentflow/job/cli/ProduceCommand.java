package io.latentflow.job.cli;

import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.produce.IdxImageSource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes a run's input streams into an existing Kafka cluster, for a job running elsewhere. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description =
                "Create the topics if missing, then write steps x batch-size Fashion-MNIST"
                        + " training samples and as many seeded latent draws for one run.")
final class ProduceCommand implements Callable<Integer> {

    @Mixin TrainingOptions options;

    @Option(
            names = "--dataset-path",
            defaultValue = "/usr/share/datasets/fashion-mnist",
            description =
                    "Fashion-MNIST IDX files, a folder or the training images file (default:"
                            + " ${DEFAULT-VALUE}).")
    Path datasetPath;

    @Option(
            names = "--first-step",
            defaultValue = "0",
            description =
                    "Write mini-batches from this one on, continuing a run's streams where an"
                            + " earlier produce stopped (default: ${DEFAULT-VALUE}).")
    long firstStep;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (options.bootstrapServers == null) {
            throw new IllegalArgumentException("produce needs --bootstrap-servers");
        }
        options.validate(false);
        String runId = options.runIdOrDefault();
        IdxImageSource images = IdxImageSource.trainingSet(datasetPath);
        TopicAdministration.ensureTopics(options.bootstrapServers, options.topics());
        StreamFeed feed =
                StreamFeed.plan(options.bootstrapServers, options.topics(), runId, options);
        if (firstStep < 0) {
            throw new IllegalArgumentException(
                    "--first-step must not be negative, was " + firstStep);
        }
        feed.produce(
                images,
                options.seed,
                options.latentDim,
                firstStep * options.batchSize,
                options.examples());
        spec.commandLine()
                .getOut()
                .printf(
                        "Run %s: wrote %d samples and latent draws from step %d, seed %d: %s%n",
                        runId,
                        options.examples(),
                        firstStep,
                        options.seed,
                        feed.describe(options.topics()));
        return 0;
    }
}
