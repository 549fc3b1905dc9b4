package io.latentflow.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.plot.LossPlot;
import io.latentflow.core.recurrent.RecurrenceDesign;
import io.latentflow.core.tasks.PixelByPixelTask;
import io.latentflow.job.RecurrentJobSettings;
import io.latentflow.job.RecurrentTrainingJob;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.monitor.LiveMonitor;
import io.latentflow.job.operators.RecurrentModelKind;
import io.latentflow.job.operators.RecurrentTrainerSettings;
import io.latentflow.job.operators.SequenceTask;
import io.latentflow.job.produce.ProducedRange;
import io.latentflow.job.produce.SequenceSampleProducer;
import io.latentflow.schema.SequenceTrainingMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train --model urnn|lstm}: streams a sequence task into the data topic, trains a unitary
 * evolution RNN or the LSTM baseline on it in a local MiniCluster, and writes the run's metrics
 * from the monitoring topic into the run folder as metrics.csv, losses.png (loss against the task's
 * baseline), gradient-norms.png (|dC/dh_t| along t at the last step), unitarity.png (uRNN),
 * accuracy.png (copying and the pixel tasks: the batch accuracy, and the test accuracy of the pixel
 * tasks), and manifest.json (the settings, seeds, the pixel order of a permuted task, the topics
 * and offsets, and the final parameter hash).
 *
 * <p>The whole stream is written before the job starts, so that the job's bounded source knows
 * where the run ends; training therefore starts only once every sequence is on the topic. While the
 * job runs, a progress line follows the run's records on the monitoring topic, and {@code
 * --monitor} serves the live page for them.
 */
final class RecurrentTrainRun implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RecurrentTrainRun.class);

    private final TrainingOptions options;
    private final RecurrentTrainerSettings trainer;
    private final Path runDir;
    private final int parallelism;

    /** The monitor page's port, 0 for any free one, or null for no page. */
    private final Integer monitorPort;

    private final PrintWriter out;

    RecurrentTrainRun(
            TrainingOptions options,
            RecurrentTrainerSettings trainer,
            Path runDir,
            int parallelism,
            Integer monitorPort,
            PrintWriter out) {
        this.options = options;
        this.trainer = trainer;
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
                "Run %s: %s, %s, for %d steps%s, outputs in %s%n",
                runId,
                trainer.model().optionName(),
                trainer.summary(),
                trainer.steps(),
                trainer.model() == RecurrentModelKind.URNN
                                && RecurrenceDesign.forHiddenSize(trainer.hiddenSize())
                                        == RecurrenceDesign.FACTOR_LOOPS
                        ? ", factor loops on " + trainer.threads() + " threads"
                        : "",
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
        Map<TopicPartition, Long> dataStart =
                TopicAdministration.endOffsets(bootstrap, topics.data());
        Map<TopicPartition, Long> metricsStart =
                TopicAdministration.endOffsets(bootstrap, topics.metrics());
        long sequences = trainer.steps() * trainer.batchSize();
        long started = System.nanoTime();
        ProgressDisplay<SequenceTrainingMetrics> progress =
                ProgressDisplay.recurrent(out, trainer.steps(), System.console() != null);
        List<SequenceTrainingMetrics> metrics;
        ProducedRange produced;
        try (LiveMonitor monitor =
                        TrainCommand.startMonitor(
                                monitorPort, bootstrap, topics, metricsStart, runId, out);
                MetricsFollower<SequenceTrainingMetrics> follower =
                        new MetricsFollower<>(
                                AvroWireFormat.of(SequenceTrainingMetrics.class),
                                SequenceTrainingMetrics::getRunId,
                                SequenceTrainingMetrics::getStep,
                                bootstrap,
                                metricsStart,
                                runId,
                                progress::show)) {
            Thread following = new Thread(follower, "metrics-follower");
            following.setDaemon(true);
            following.start();
            produced = produce(runId, bootstrap, topics, sequences);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(
                            parallelism, TrainCommand.localCluster());
            RecurrentTrainingJob.build(
                    env,
                    new RecurrentJobSettings(
                            bootstrap,
                            topics,
                            runId,
                            trainer,
                            dataStart,
                            TopicAdministration.endOffsets(bootstrap, topics.data())));
            env.execute("latentflow-train-" + runId);
            if (!follower.awaitStep(trainer.steps(), Duration.ofSeconds(30))) {
                LOG.warn("Run {}: the last metrics record did not arrive within 30 s", runId);
            }
            progress.finish();
            metrics = follower.received();
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        if (metrics.isEmpty()) {
            LOG.warn("Run {}: no metrics record on {}", runId, topics.metrics());
            out.println("The job wrote no metrics for run " + runId);
            return 1;
        }
        writeOutputs(folder, metrics);
        SequenceTrainingMetrics last = metrics.get(metrics.size() - 1);
        writeManifest(folder, runId, bootstrap, topics, produced, last, seconds);
        // Batch accuracy does not apply to adding, nor unitarity to the LSTM: they are NaN there.
        StringBuilder summary =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "Trained %d steps in %.0f s. Loss %.5f (baseline %.5f)",
                                last.getStep(),
                                seconds,
                                last.getLoss(),
                                last.getBaselineLoss()));
        if (Double.isFinite(last.getAccuracy())) {
            summary.append(String.format(Locale.ROOT, ", batch accuracy %.3f", last.getAccuracy()));
        }
        if (Double.isFinite(last.getUnitarityDeviation())) {
            summary.append(
                    String.format(
                            Locale.ROOT, ", max |W^H W - I| %.2e", last.getUnitarityDeviation()));
        }
        out.println(summary.append(". Parameter hash ").append(last.getParameterHash()));
        if (last.getTestExamples() > 0) {
            out.printf(
                    Locale.ROOT,
                    "Test accuracy %.4f (loss %.4f) on %d held-out t10k images%n",
                    last.getTestAccuracy(),
                    last.getTestLoss(),
                    last.getTestExamples());
        }
        out.println("Outputs in " + folder.toAbsolutePath());
        out.flush();
        return 0;
    }

    /** Writes the run's whole stream of task sequences to the data topic, and says where. */
    private ProducedRange produce(String runId, String bootstrap, TopicNames topics, long sequences)
            throws IOException {
        ProducedRange produced;
        try (SequenceSampleProducer producer =
                new SequenceSampleProducer(bootstrap, topics.data())) {
            if (trainer.task().isPixelTask()) {
                produced =
                        producer.producePixels(
                                runId,
                                trainer.task(),
                                trainingImages(),
                                options.seed,
                                0,
                                sequences);
            } else {
                produced =
                        producer.produce(
                                runId,
                                trainer.task(),
                                trainer.length(),
                                options.seed,
                                0,
                                sequences);
            }
        }
        out.printf(
                "Wrote %d %s sequences of %d steps to %s-%d, offsets %d to %d%n",
                produced.count(),
                trainer.task().optionName(),
                trainer.timeSteps(),
                produced.topic(),
                produced.partition(),
                produced.firstOffset(),
                produced.lastOffset());
        out.flush();
        return produced;
    }

    /** The training images and labels of a pixel task, in its pixel order. */
    private PixelByPixelTask trainingImages() throws IOException {
        Path dataset = Path.of(trainer.datasetPath());
        IdxImages images = IdxReader.readImages(FashionMnist.trainingImages(dataset));
        int[] labels = IdxReader.readLabels(FashionMnist.trainingLabels(dataset));
        return new PixelByPixelTask(
                images, labels, trainer.task().pixelOrder(trainer.permutationSeed()));
    }

    /**
     * Writes manifest.json: what trained (the settings, both seeds, and for permuted-pixel the seed
     * and the pixel order itself), where its records are, how long it took and what it ended with.
     */
    private void writeManifest(
            Path folder,
            String runId,
            String bootstrap,
            TopicNames topics,
            ProducedRange produced,
            SequenceTrainingMetrics last,
            double seconds)
            throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("runId", runId);
        manifest.put("model", trainer.model().optionName());
        manifest.put("task", trainer.task().optionName());
        manifest.put("modelSeed", trainer.seed());
        manifest.put("taskSeed", options.seed);
        manifest.put("steps", trainer.steps());
        manifest.put("timeSteps", trainer.timeSteps());
        manifest.put("configuration", new java.util.TreeMap<>(trainer.describe()));
        if (trainer.task() == SequenceTask.PERMUTED_PIXEL) {
            manifest.put("permutationSeed", trainer.permutationSeed());
            manifest.put("pixelOrder", trainer.task().pixelOrder(trainer.permutationSeed()));
        }
        if (trainer.task().isPixelTask()) {
            manifest.put("dataset", trainer.datasetPath());
        }
        manifest.put("topics", RunManifest.describe(topics));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("topic", produced.topic());
        data.put("partition", produced.partition());
        data.put("firstOffset", produced.firstOffset());
        data.put("lastOffset", produced.lastOffset());
        manifest.put("data", data);
        manifest.put("bootstrapServers", bootstrap);
        manifest.put("seconds", Math.round(seconds));
        manifest.put("finalStep", last.getStep());
        manifest.put("finalLoss", last.getLoss());
        manifest.put(
                "finalTestAccuracy", last.getTestExamples() > 0 ? last.getTestAccuracy() : null);
        manifest.put("finalTestExamples", last.getTestExamples());
        manifest.put("parameterHash", last.getParameterHash());
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(folder.resolve("manifest.json").toFile(), manifest);
    }

    private void writeOutputs(Path folder, List<SequenceTrainingMetrics> metrics)
            throws IOException {
        String model = trainer.model() == RecurrentModelKind.LSTM ? "LSTM" : "uRNN";
        int count = metrics.size();
        double[] steps = new double[count];
        double[] loss = new double[count];
        double[] baseline = new double[count];
        double[] deviation = new double[count];
        StringBuilder csv =
                new StringBuilder(
                        "step,applied,loss,baseline_loss,accuracy,unitarity_deviation,"
                                + "gradient_norm,samples_per_second,data_offset,dead_letters,"
                                + "test_accuracy,test_loss,test_examples,batch_size,"
                                + "curvature_batch,damping,next_damping,inner_iterations,"
                                + "curvature_products,predicted_reduction,actual_reduction,rho,"
                                + "step_length,most_negative_curvature,negative_curvature_met\n");
        for (int i = 0; i < count; i++) {
            SequenceTrainingMetrics m = metrics.get(i);
            steps[i] = m.getStep();
            loss[i] = m.getLoss();
            baseline[i] = m.getBaselineLoss();
            deviation[i] = m.getUnitarityDeviation();
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%b,%.6g,%.6g,%.4f,%.3e,%.6g,%.1f,%d,%d,%.4f,%.5g,%d",
                            m.getStep(),
                            m.getApplied(),
                            m.getLoss(),
                            m.getBaselineLoss(),
                            m.getAccuracy(),
                            m.getUnitarityDeviation(),
                            m.getGradientNorm(),
                            m.getSamplesPerSecond(),
                            m.getDataOffset(),
                            m.getDeadLetters(),
                            m.getTestAccuracy(),
                            m.getTestLoss(),
                            m.getTestExamples()));
            csv.append(',').append(m.getBatchSize());
            // Second-order columns stay empty for first-order optimizers, whose fields are null.
            for (Object value :
                    new Object[] {
                        m.getCurvatureBatch(),
                        m.getDamping(),
                        m.getNextDamping(),
                        m.getInnerIterations(),
                        m.getCurvatureProducts(),
                        m.getPredictedReduction(),
                        m.getActualReduction(),
                        m.getReductionRatio(),
                        m.getStepLength(),
                        m.getMostNegativeCurvature(),
                        m.getNegativeCurvatureMet()
                    }) {
                csv.append(',').append(value == null ? "" : String.valueOf(value));
            }
            csv.append('\n');
        }
        Files.writeString(folder.resolve("metrics.csv"), csv, StandardCharsets.UTF_8);
        SequenceTrainingMetrics first = metrics.get(0);
        Map<String, double[][]> losses = new LinkedHashMap<>();
        losses.put(model + " loss on the step's batch", new double[][] {steps, loss});
        losses.put("memoryless baseline", new double[][] {steps, baseline});
        LossPlot.writePngLogScale(
                folder.resolve("losses.png"),
                first.getTask()
                        + ", T = "
                        + first.getTimeSteps()
                        + " steps, run "
                        + first.getRunId(),
                "loss",
                losses,
                900,
                500);
        SequenceTrainingMetrics last = metrics.get(count - 1);
        List<Double> norms = last.getStateGradientNorms();
        double[] times = new double[norms.size()];
        double[] values = new double[norms.size()];
        for (int t = 0; t < times.length; t++) {
            times[t] = t;
            values[t] = norms.get(t);
        }
        LossPlot.writePngLogScale(
                folder.resolve("gradient-norms.png"),
                "Mean |dC/dh_t| over the batch of step "
                        + last.getStep()
                        + ", run "
                        + last.getRunId(),
                "time step t",
                "|dC/dh_t|",
                Map.of(model, new double[][] {times, values}),
                900,
                500);
        if (trainer.model() == RecurrentModelKind.URNN) {
            LossPlot.writePngLogScale(
                    folder.resolve("unitarity.png"),
                    "Deviation of W from unitarity, run " + first.getRunId(),
                    "max |W^H W - I|",
                    Map.of(model, new double[][] {steps, deviation}),
                    900,
                    500);
        }
        if (trainer.task().hasClasses()) {
            writeAccuracyPlot(folder, metrics, model);
        }
    }

    /** accuracy.png: the batch accuracy of the reported steps and, if measured, test accuracy. */
    private static void writeAccuracyPlot(
            Path folder, List<SequenceTrainingMetrics> metrics, String model) throws IOException {
        List<double[]> batch = new ArrayList<>();
        // The periodic measurements use the first --test-examples images, the last step all of
        // them: one series per size, so that points on different sets are not joined.
        Map<Integer, List<double[]>> testBySize = new TreeMap<>();
        for (SequenceTrainingMetrics m : metrics) {
            if (Double.isFinite(m.getAccuracy())) {
                batch.add(new double[] {m.getStep(), m.getAccuracy()});
            }
            if (m.getTestExamples() > 0) {
                testBySize
                        .computeIfAbsent(m.getTestExamples(), size -> new ArrayList<>())
                        .add(new double[] {m.getStep(), m.getTestAccuracy()});
            }
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put(model + " accuracy on the step's batch", columns(batch));
        testBySize.forEach(
                (size, points) ->
                        series.put(
                                String.format(
                                        Locale.ROOT,
                                        "%s test accuracy on %,d held-out t10k images",
                                        model,
                                        size),
                                columns(points)));
        SequenceTrainingMetrics first = metrics.get(0);
        LossPlot.writePng(
                folder.resolve("accuracy.png"),
                first.getTask() + ", T = " + first.getTimeSteps() + ", run " + first.getRunId(),
                "accuracy",
                series,
                900,
                500);
    }

    private static double[][] columns(List<double[]> points) {
        double[][] columns = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            columns[0][i] = points.get(i)[0];
            columns[1][i] = points.get(i)[1];
        }
        return columns;
    }
}
