package io.latentflow.job.cli;

import io.latentflow.job.AdversarialTrainingJob;
import io.latentflow.job.JobSettings;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.monitor.LiveMonitor;
import io.latentflow.job.monitor.MetricsTopicFollower;
import io.latentflow.job.produce.IdxImageSource;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Trains ALI or a GAN on Fashion-MNIST end to end on this machine: a Kafka broker (embedded unless
 * one is named), the data and latent streams, the Flink job in a local MiniCluster, a progress
 * line, and the run folder with sample grids, a loss plot and a manifest.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Train ALI, a GAN or the deep autoencoder on Fashion-MNIST, or a uRNN or an LSTM on a"
                    + " sequence task, streamed through Kafka into a local Flink MiniCluster.",
            "Writes into the run folder: samples.png (G(z)), reconstructions.png (x beside"
                    + " G(E(x)), ALI only), losses.png, diagnostics.png, gradients.png,"
                    + " metrics.csv, manifest.json and snapshots/; for urnn and lstm, losses.png,"
                    + " gradient-norms.png, unitarity.png (urnn), accuracy.png (copying and the"
                    + " pixel tasks), metrics.csv and manifest.json; for autoencoder, losses.png,"
                    + " metrics.csv and run.json."
        })
final class TrainCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    @Mixin TrainingOptions options;

    @Option(
            names = "--run-dir",
            description = "Folder for the run's outputs (default: runs/<run id>).")
    Path runDir;

    @Option(
            names = "--dataset-path",
            defaultValue = "/usr/share/datasets/fashion-mnist",
            description =
                    "Fashion-MNIST IDX files (gzipped or not): a folder holding"
                            + " train-images-idx3-ubyte[.gz] and t10k-images-idx3-ubyte[.gz], or"
                            + " the training images file itself (default: ${DEFAULT-VALUE}).")
    Path datasetPath;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Parallelism of the local Flink job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--monitor",
            description =
                    "Serve the live monitor page on 127.0.0.1 while the run trains (see latentflow"
                            + " monitor).")
    boolean monitor;

    @Option(
            names = "--monitor-port",
            defaultValue = "" + MonitorCommand.DEFAULT_PORT,
            description =
                    "Port of the monitor page; 0 for any free one (default: ${DEFAULT-VALUE}).")
    int monitorPort;

    @Option(
            names = "--prometheus-port",
            description =
                    "Serve the trainer's Flink metrics for Prometheus at"
                            + " http://<host>:PORT/metrics while the run trains (Flink's Prometheus"
                            + " reporter, which listens on every interface; default: off).")
    Integer prometheusPort;

    @Option(
            names = "--continuous",
            description =
                    "Keep training as the run's records arrive (latentflow produce --first-step"
                            + " appends them), with exactly-once checkpoints in the run folder;"
                            + " started again with the same run folder, it resumes there. Writes"
                            + " the first --steps mini-batches itself. Needs --bootstrap-servers.")
    boolean continuous;

    @Option(
            names = "--stop-at-step",
            defaultValue = "0",
            description =
                    "With --continuous, stop with a savepoint once the run has trained this many"
                            + " steps in all (default: train until interrupted).")
    long stopAtStep;

    @Option(
            names = "--checkpoint-interval-ms",
            defaultValue = "10000",
            description = "With --continuous, checkpoint every N ms (default: ${DEFAULT-VALUE}).")
    long checkpointIntervalMillis;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (options.isAutoencoder()) {
            if (continuous) {
                throw new IllegalArgumentException(
                        "--continuous trains ALI or a GAN; --model autoencoder trains a bounded"
                                + " run");
            }
            validateLocalOptions();
            IdxImageSource images = IdxImageSource.trainingSet(datasetPath);
            return new AutoencoderTrainRun(
                            options,
                            options.autoencoderTrainerSettings(
                                    spec.commandLine().getParseResult(),
                                    images.count(),
                                    images.height() * images.width()),
                            images,
                            runDir,
                            parallelism,
                            monitorPortIfAsked(),
                            spec.commandLine().getOut())
                    .call();
        }
        if (options.isRecurrent()) {
            if (continuous) {
                throw new IllegalArgumentException(
                        "--continuous trains ALI or a GAN; --model "
                                + options.model
                                + " trains a bounded task");
            }
            validateLocalOptions();
            return new RecurrentTrainRun(
                            options,
                            options.recurrentTrainerSettings(
                                    spec.commandLine().getParseResult(), datasetPath),
                            runDir,
                            parallelism,
                            monitorPortIfAsked(),
                            spec.commandLine().getOut())
                    .call();
        }
        if (continuous) {
            return trainContinuously();
        }
        options.applyAdversarialDefaults(spec.commandLine().getParseResult());
        options.validate(false);
        validateLocalOptions();
        Configuration cluster = localCluster();
        if (prometheusPort != null) {
            PrometheusReporting.enable(cluster, prometheusPort);
        }
        String runId = options.runIdOrDefault();
        Path folder = runDir != null ? runDir : Path.of("runs", runId);
        RunOutputs.refuseFinishedRun(folder, "run folder");
        IdxImageSource images = IdxImageSource.trainingSet(datasetPath);
        Files.createDirectories(folder);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Run %s: %s for %d steps of %d on %s, outputs in %s%n",
                runId,
                options.trainerSettings().describe(),
                options.steps,
                options.batchSize,
                images.images().source(),
                folder);
        if (prometheusPort != null) {
            out.printf(
                    "Prometheus metrics at http://127.0.0.1:%d/metrics while the run trains%n",
                    prometheusPort);
        }
        out.flush();

        return BrokerForRun.run(
                options.bootstrapServers,
                folder,
                out,
                bootstrap -> train(runId, folder, images, bootstrap, cluster, out));
    }

    private int train(
            String runId,
            Path folder,
            IdxImageSource images,
            String bootstrap,
            Configuration cluster,
            PrintWriter out)
            throws Exception {
        TopicNames topics = options.topics();
        TopicAdministration.ensureTopics(bootstrap, topics);
        LOG.info("Run {}: topics ready on {}", runId, bootstrap);
        StreamFeed feed = StreamFeed.plan(bootstrap, topics, runId, options);
        Map<TopicPartition, Long> metricsStart =
                TopicAdministration.endOffsets(bootstrap, topics.metrics());
        Map<TopicPartition, Long> snapshotStart =
                TopicAdministration.endOffsets(bootstrap, topics.snapshots());

        ProgressDisplay<TrainingMetrics> progress =
                ProgressDisplay.adversarial(out, options.steps, System.console() != null);
        long started = System.nanoTime();
        try (LiveMonitor liveMonitor = startMonitor(bootstrap, topics, metricsStart, runId, out);
                MetricsFollower<TrainingMetrics> follower =
                        MetricsFollower.trainingMetrics(
                                bootstrap, metricsStart, runId, progress::show)) {
            Thread following = new Thread(follower, "metrics-follower");
            following.setDaemon(true);
            following.start();
            Thread feeding = feed.startInBackground(images, options);

            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(parallelism, cluster);
            AdversarialTrainingJob.build(
                    env,
                    new JobSettings(
                            bootstrap,
                            topics,
                            runId,
                            options.trainerSettings(),
                            feed.dataStart(),
                            feed.dataStop(),
                            feed.latentStart(),
                            feed.latentStop(),
                            null));
            env.execute("latentflow-train-" + runId);
            feeding.join();
            feed.rethrowFailure();

            if (!follower.awaitStep(options.steps, Duration.ofSeconds(30))) {
                LOG.warn("Run {}: the last metrics record did not arrive within 30 s", runId);
            }
            progress.finish();
            List<TrainingMetrics> metrics = follower.received();
            double seconds = (System.nanoTime() - started) / 1e9;

            Path snapshotFolder = Files.createDirectories(folder.resolve("snapshots"));
            ModelSnapshot snapshot =
                    SnapshotReader.readUntil(
                            bootstrap,
                            topics.snapshots(),
                            snapshotStart,
                            runId,
                            options.steps,
                            Duration.ofSeconds(60),
                            each -> SnapshotFiles.write(snapshotFolder, each));
            RunOutputs outputs = new RunOutputs(folder, datasetPath, images.images());
            RunOutputs.Summary summary =
                    outputs.write(snapshot, metrics, feed, options, bootstrap, seconds);
            if (Double.isNaN(summary.reconstructionError())) {
                out.printf(
                        "Trained %d steps in %.0f s. Parameter hash %s%n",
                        options.steps, seconds, snapshot.getParameterHash());
            } else {
                out.printf(
                        "Trained %d steps in %.0f s. Test reconstruction error %.4f (dataset mean"
                                + " image: %.4f). Parameter hash %s%n",
                        options.steps,
                        seconds,
                        summary.reconstructionError(),
                        summary.meanImageError(),
                        snapshot.getParameterHash());
            }
            out.println("Outputs in " + folder.toAbsolutePath());
            out.flush();
            return 0;
        }
    }

    /** The options of this command that the shared training options do not check. */
    private void validateLocalOptions() {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        if (!options.isRecurrent()) {
            for (String option :
                    List.of(
                            "--task",
                            "--task-length",
                            "--gradient-clip",
                            "--permutation-seed",
                            "--test-interval",
                            "--test-examples")) {
                if (given.hasMatchedOption(option)) {
                    throw new IllegalArgumentException(option + " needs --model urnn or lstm");
                }
            }
            if (given.hasMatchedOption("--threads")) {
                throw new IllegalArgumentException("--threads needs --model urnn");
            }
        }
        boolean adversarial = !options.isRecurrent() && !options.isAutoencoder();
        if (!adversarial) {
            for (String option :
                    List.of(
                            "--generator-cost",
                            "--instance-noise",
                            "--noise-schedule",
                            "--noise-anneal-steps",
                            "--noise-on-code",
                            "--latent-dim")) {
                if (given.hasMatchedOption(option)) {
                    throw new IllegalArgumentException(option + " needs --model ali or gan");
                }
            }
        }
        if (!options.isAutoencoder()) {
            for (String option :
                    List.of(
                            "--layers",
                            "--gradient-batch",
                            "--curvature-batch",
                            "--momentum",
                            "--damping",
                            "--max-inner-iterations",
                            "--evaluation-examples")) {
                if (!given.hasMatchedOption(option)) {
                    continue;
                }
                boolean hessianFreeSetting =
                        List.of("--curvature-batch", "--damping", "--max-inner-iterations")
                                .contains(option);
                if (options.isRecurrent()
                        && (hessianFreeSetting || option.equals("--gradient-batch"))) {
                    continue; // the recurrent settings check them against the optimizer
                }
                if (adversarial && hessianFreeSetting) {
                    if (!options.isAdversarialSecondOrder()) {
                        throw new IllegalArgumentException(
                                option
                                        + " needs a Hessian-free --optimizer: hf, gauss-newton"
                                        + " or sfhf");
                    }
                } else if (option.equals("--gradient-batch")) {
                    throw new IllegalArgumentException(
                            option + " needs --model autoencoder, urnn or lstm");
                } else {
                    throw new IllegalArgumentException(option + " needs --model autoencoder");
                }
            }
        }
        if (!continuous) {
            for (String option : List.of("--stop-at-step", "--checkpoint-interval-ms")) {
                if (given.hasMatchedOption(option)) {
                    throw new IllegalArgumentException(option + " needs --continuous");
                }
            }
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException(
                    "--parallelism must be at least 1, was " + parallelism);
        }
        if (monitorPort < 0 || monitorPort > 65535) {
            throw new IllegalArgumentException(
                    "--monitor-port must be 0 to 65535, was " + monitorPort);
        }
    }

    private int trainContinuously() throws Exception {
        options.applyAdversarialDefaults(spec.commandLine().getParseResult());
        options.validate(false);
        validateLocalOptions();
        if (options.bootstrapServers == null) {
            throw new IllegalArgumentException(
                    "--continuous needs --bootstrap-servers: the records of an embedded broker end"
                            + " with the process, so there would be nothing to resume from");
        }
        if (stopAtStep < 0) {
            throw new IllegalArgumentException(
                    "--stop-at-step must not be negative, was " + stopAtStep);
        }
        String runId = options.runIdOrDefault();
        Path folder = runDir != null ? runDir : Path.of("runs", runId);
        Files.createDirectories(folder);
        IdxImageSource images = IdxImageSource.trainingSet(datasetPath);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Run %s: %s, continuous%s, checkpoints in %s%n",
                runId,
                options.trainerSettings().describe(),
                stopAtStep > 0 ? " until step " + stopAtStep : "",
                folder.resolve("checkpoints"));
        return new ContinuousTraining(
                        options,
                        folder,
                        parallelism,
                        java.time.Duration.ofMillis(checkpointIntervalMillis),
                        stopAtStep)
                .run(runId, images, localCluster(), out);
    }

    /** The monitor page for this run, if asked for; null otherwise. */
    private LiveMonitor startMonitor(
            String bootstrap,
            TopicNames topics,
            Map<TopicPartition, Long> metricsStart,
            String runId,
            PrintWriter out)
            throws IOException {
        return startMonitor(monitorPortIfAsked(), bootstrap, topics, metricsStart, runId, out);
    }

    /** The --monitor-port when --monitor asks for the page, null otherwise. */
    private Integer monitorPortIfAsked() {
        return monitor ? monitorPort : null;
    }

    /**
     * Serves the monitor page for one run of any model from the metrics written after {@code
     * metricsStart}, and says where; returns null when {@code port} is null (no --monitor).
     */
    static LiveMonitor startMonitor(
            Integer port,
            String bootstrap,
            TopicNames topics,
            Map<TopicPartition, Long> metricsStart,
            String runId,
            PrintWriter out)
            throws IOException {
        if (port == null) {
            return null;
        }
        LiveMonitor live =
                LiveMonitor.serve(
                        new LiveMonitor.Source(
                                bootstrap,
                                topics.metrics(),
                                MetricsTopicFollower.Start.END,
                                metricsStart,
                                Set.of(runId),
                                topics.images()),
                        InetAddress.getLoopbackAddress(),
                        port);
        out.println("Monitor at " + live.url() + " while the run trains");
        out.flush();
        return live;
    }

    static void closeQuietly(EmbeddedKafkaBroker broker) {
        try {
            broker.close();
        } catch (Exception e) {
            LOG.warn("Could not stop the embedded broker cleanly: {}", e.getMessage());
        }
    }

    /** A MiniCluster for one local run: fail fast instead of restarting forever. */
    static Configuration localCluster() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return config;
    }
}
