package io.latentflow.job.cli;

import io.latentflow.core.plot.LossPlot;
import io.latentflow.job.AutoencoderJobSettings;
import io.latentflow.job.AutoencoderTrainingJob;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.monitor.LiveMonitor;
import io.latentflow.job.operators.AutoencoderTrainerSettings;
import io.latentflow.job.produce.IdxImageSource;
import io.latentflow.schema.AutoencoderTrainingMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train --model autoencoder}: streams Fashion-MNIST's training images into the data topic
 * while a local MiniCluster trains the deep autoencoder on them with the chosen optimizer, shows a
 * progress line from the monitoring topic, and writes the run's metrics into the run folder as
 * metrics.csv, losses.png (training error on the evaluation sample and loss on each step's batch,
 * against passes over the data) and run.json (what made the run and where it ended).
 */
final class AutoencoderTrainRun implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderTrainRun.class);

    private final TrainingOptions options;
    private final AutoencoderTrainerSettings trainer;
    private final IdxImageSource images;
    private final Path runDir;
    private final int parallelism;

    /** The monitor page's port, 0 for any free one, or null for no page. */
    private final Integer monitorPort;

    private final PrintWriter out;

    AutoencoderTrainRun(
            TrainingOptions options,
            AutoencoderTrainerSettings trainer,
            IdxImageSource images,
            Path runDir,
            int parallelism,
            Integer monitorPort,
            PrintWriter out) {
        this.options = options;
        this.trainer = trainer;
        this.images = images;
        this.runDir = runDir;
        this.parallelism = parallelism;
        this.monitorPort = monitorPort;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        String runId = options.runIdOrDefault();
        Path folder = runDir != null ? runDir : Path.of("runs", runId);
        RunOutputs.refuseFinishedRun(folder, "run folder");
        Files.createDirectories(folder);
        out.printf(
                "Run %s: %s for %d steps on %s, outputs in %s%n",
                runId,
                trainer.describeBriefly(),
                trainer.steps(),
                images.images().source(),
                folder);
        out.flush();
        return BrokerForRun.run(
                options.bootstrapServers,
                folder,
                out,
                bootstrap -> train(runId, folder, bootstrap));
    }

    private int train(String runId, Path folder, String bootstrap) throws Exception {
        TopicNames topics = options.topics();
        TopicAdministration.ensureTopics(bootstrap, topics);
        long examples = trainer.steps() * trainer.examplesPerStep();
        StreamFeed feed = StreamFeed.plan(bootstrap, topics, runId, examples);
        Map<TopicPartition, Long> metricsStart =
                TopicAdministration.endOffsets(bootstrap, topics.metrics());
        ProgressDisplay<AutoencoderTrainingMetrics> progress =
                ProgressDisplay.autoencoder(out, trainer.steps(), System.console() != null);
        long started = System.nanoTime();
        try (LiveMonitor monitor =
                        TrainCommand.startMonitor(
                                monitorPort, bootstrap, topics, metricsStart, runId, out);
                MetricsFollower<AutoencoderTrainingMetrics> follower =
                        new MetricsFollower<>(
                                AvroWireFormat.of(AutoencoderTrainingMetrics.class),
                                AutoencoderTrainingMetrics::getRunId,
                                AutoencoderTrainingMetrics::getStep,
                                bootstrap,
                                metricsStart,
                                runId,
                                progress::show)) {
            Thread following = new Thread(follower, "metrics-follower");
            following.setDaemon(true);
            following.start();
            Thread feeding = feed.startDataInBackground(images, options.seed, examples);

            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(
                            parallelism, TrainCommand.localCluster());
            AutoencoderTrainingJob.build(
                    env,
                    new AutoencoderJobSettings(
                            bootstrap, topics, runId, trainer, feed.dataStart(), feed.dataStop()));
            env.execute("latentflow-train-" + runId);
            feeding.join();
            feed.rethrowFailure();
            if (!follower.awaitStep(trainer.steps(), Duration.ofSeconds(30))) {
                LOG.warn("Run {}: the last metrics record did not arrive within 30 s", runId);
            }
            progress.finish();
            double seconds = (System.nanoTime() - started) / 1e9;

            List<AutoencoderTrainingMetrics> metrics = follower.received();
            if (metrics.isEmpty()) {
                LOG.warn("Run {}: no metrics record on {}", runId, topics.metrics());
                out.println("The job wrote no metrics for run " + runId);
                return 1;
            }
            writeOutputs(folder, metrics);
            AutoencoderTrainingMetrics last = metrics.get(metrics.size() - 1);
            writeRunDescription(folder, last, feed, topics, seconds);
            out.printf(
                    Locale.ROOT,
                    "Trained %d steps (%.2f passes over the %d images) in %.0f s, %.0f s of them"
                            + " in training steps. Training error %.3f per example (squared,"
                            + " summed over pixels, on the first %d images). Parameter hash %s%n",
                    last.getStep(),
                    last.getPasses(),
                    trainer.trainingSetSize(),
                    seconds,
                    last.getTrainingSeconds(),
                    last.getTrainingError(),
                    last.getEvaluationExamples(),
                    last.getParameterHash());
            out.println("Outputs in " + folder.toAbsolutePath());
            out.flush();
            return 0;
        }
    }

    /** The columns of metrics.csv, in order. */
    static final String CSV_HEADER =
            "step,applied,examples,passes,compute_passes,training_seconds,training_loss,"
                    + "training_error,damping,next_damping,inner_iterations,curvature_products,"
                    + "predicted_reduction,actual_reduction,reduction_ratio,step_length,"
                    + "most_negative_curvature,negative_curvature_met,samples_per_second,"
                    + "data_offset,dead_letters,skipped_steps,parameter_hash";

    private static void writeOutputs(Path folder, List<AutoencoderTrainingMetrics> metrics)
            throws IOException {
        StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
        int count = metrics.size();
        double[] passes = new double[count];
        double[] error = new double[count];
        int losses = 0;
        double[][] loss = new double[2][count];
        for (int i = 0; i < count; i++) {
            AutoencoderTrainingMetrics m = metrics.get(i);
            passes[i] = m.getPasses();
            error[i] = m.getTrainingError();
            if (Double.isFinite(m.getTrainingLoss())) {
                loss[0][losses] = m.getPasses();
                // The loss is half the squared error per example; doubled, it reads alike.
                loss[1][losses++] = 2 * m.getTrainingLoss();
            }
            csv.append(
                            String.format(
                                    Locale.ROOT,
                                    "%d,%b,%d,%.6f,%.6f,%.3f,%.6g,%.6g,",
                                    m.getStep(),
                                    m.getApplied(),
                                    m.getExamples(),
                                    m.getPasses(),
                                    m.getComputePasses(),
                                    m.getTrainingSeconds(),
                                    m.getTrainingLoss(),
                                    m.getTrainingError()))
                    .append(optional(m.getDamping()))
                    .append(',')
                    .append(optional(m.getNextDamping()))
                    .append(',')
                    .append(optional(m.getInnerIterations()))
                    .append(',')
                    .append(optional(m.getCurvatureProducts()))
                    .append(',')
                    .append(optional(m.getPredictedReduction()))
                    .append(',')
                    .append(optional(m.getActualReduction()))
                    .append(',')
                    .append(optional(m.getReductionRatio()))
                    .append(',')
                    .append(optional(m.getStepLength()))
                    .append(',')
                    .append(optional(m.getMostNegativeCurvature()))
                    .append(',')
                    .append(optional(m.getNegativeCurvatureMet()))
                    .append(
                            String.format(
                                    Locale.ROOT,
                                    ",%.1f,%d,%d,%d,%s%n",
                                    m.getSamplesPerSecond(),
                                    m.getDataOffset(),
                                    m.getDeadLetters(),
                                    m.getSkippedSteps(),
                                    m.getParameterHash()));
        }
        Files.writeString(folder.resolve("metrics.csv"), csv, StandardCharsets.UTF_8);

        AutoencoderTrainingMetrics first = metrics.get(0);
        Map<String, double[][]> curves = new LinkedHashMap<>();
        curves.put(
                "training error on the first " + first.getEvaluationExamples() + " images",
                new double[][] {passes, error});
        curves.put(
                "2 x loss on the step's batch",
                new double[][] {
                    java.util.Arrays.copyOf(loss[0], losses),
                    java.util.Arrays.copyOf(loss[1], losses)
                });
        LossPlot.writePngLogScale(
                folder.resolve("losses.png"),
                "autoencoder "
                        + first.getConfiguration().get("widths")
                        + ", "
                        + first.getOptimizer()
                        + ", run "
                        + first.getRunId(),
                "passes over the training set",
                "squared error per example",
                curves,
                900,
                500);
    }

    /**
     * Writes run.json: what made the run (id, seed, configuration, the data offsets read) and where
     * it ended (step, passes, training error, parameter hash), so that it can be traced and run
     * again.
     */
    private static void writeRunDescription(
            Path folder,
            AutoencoderTrainingMetrics last,
            StreamFeed feed,
            TopicNames topics,
            double seconds)
            throws IOException {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("runId", last.getRunId());
        run.put("model", last.getModel());
        run.put("optimizer", last.getOptimizer());
        run.put("seed", last.getSeed());
        run.put("configuration", new java.util.TreeMap<>(last.getConfiguration()));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("topic", topics.data());
        feed.dataStart()
                .forEach(
                        (partition, start) -> {
                            long stop = feed.dataStop().get(partition);
                            if (stop != start) {
                                data.put("partition", partition.partition());
                                data.put("from", start);
                                data.put("until", stop);
                            }
                        });
        run.put("data", data);
        run.put("steps", last.getStep());
        run.put("passes", last.getPasses());
        run.put("trainingError", last.getTrainingError());
        run.put("evaluationExamples", last.getEvaluationExamples());
        run.put("parameterHash", last.getParameterHash());
        run.put("secondsInSteps", last.getTrainingSeconds());
        run.put("wallSeconds", Math.round(seconds * 10) / 10.0);
        run.put("versions", new java.util.TreeMap<>(LatentFlowCommand.builtVersions()));
        new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValue(folder.resolve(RunOutputs.AUTOENCODER_RUN_FILE).toFile(), run);
    }

    private static String optional(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double d) {
            return String.format(Locale.ROOT, "%.6g", d);
        }
        return value.toString();
    }
}
