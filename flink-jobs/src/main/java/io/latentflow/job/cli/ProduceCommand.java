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
        feed.produce(images, options);
        spec.commandLine()
                .getOut()
                .printf(
                        "Run %s: wrote %d samples and latent draws, seed %d: %s%n",
                        runId, options.examples(), options.seed, feed.describe(options.topics()));
        return 0;
    }
}
