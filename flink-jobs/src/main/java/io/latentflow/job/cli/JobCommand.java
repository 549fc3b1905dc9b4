package io.latentflow.job.cli;

import io.latentflow.job.AdversarialTrainingJob;
import io.latentflow.job.JobSettings;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the streaming training job in whatever Flink environment starts it: submitted with {@code
 * flink run} it runs on that cluster; started directly it runs in a local MiniCluster.
 */
@Command(
        name = "job",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Run the ALI or GAN training job on an existing Kafka cluster, for example on a Flink"
                    + " cluster: flink run -c io.latentflow.job.cli.LatentFlowCommand"
                    + " latentflow.jar job --bootstrap-servers kafka:9092",
            "Reads the data and latent topics from the earliest offset and trains every run it"
                    + " finds there for --steps steps (0: without end). Each run's model is"
                    + " seeded from its latent records; --run-id names the job and the run that"
                    + " unreadable records are counted against."
        })
final class JobCommand implements Callable<Integer> {

    @Mixin TrainingOptions options;

    @Spec CommandSpec spec;

    @Option(
            names = "--checkpoint-interval-ms",
            defaultValue = "0",
            description =
                    "Checkpoint every N milliseconds; 0 disables (default: ${DEFAULT-VALUE}).")
    long checkpointIntervalMillis;

    @Option(
            names = "--prometheus-port",
            description =
                    "When the job runs in a local MiniCluster (not under flink run), serve its"
                            + " Flink metrics for Prometheus at http://<host>:PORT/metrics"
                            + " (default: off).")
    Integer prometheusPort;

    @Override
    public Integer call() throws Exception {
        if (options.bootstrapServers == null) {
            throw new IllegalArgumentException("job needs --bootstrap-servers");
        }
        options.applyAdversarialDefaults(spec.commandLine().getParseResult());
        options.validate(true);
        StreamExecutionEnvironment env =
                prometheusPort == null
                        ? StreamExecutionEnvironment.getExecutionEnvironment()
                        : StreamExecutionEnvironment.getExecutionEnvironment(
                                PrometheusReporting.enable(new Configuration(), prometheusPort));
        if (checkpointIntervalMillis > 0) {
            env.enableCheckpointing(checkpointIntervalMillis);
        }
        String runId = options.runIdOrDefault();
        AdversarialTrainingJob.build(
                env,
                new JobSettings(
                        options.bootstrapServers,
                        options.topics(),
                        runId,
                        options.trainerSettings(),
                        null,
                        null,
                        null,
                        null,
                        null));
        env.execute("latentflow-job-" + runId);
        return 0;
    }
}
