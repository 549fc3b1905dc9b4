package io.latentflow.job.cli;

import io.latentflow.core.plot.LossPlot;
import io.latentflow.job.RecurrentJobSettings;
import io.latentflow.job.RecurrentTrainingJob;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.RecurrentTrainerSettings;
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
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train --model urnn}: streams a sequence task into the data topic, trains a unitary
 * evolution RNN on it in a local MiniCluster, and writes the run's metrics from the monitoring
 * topic into the run folder as metrics.csv, losses.png (loss against the task's baseline),
 * gradient-norms.png (|dC/dh_t| along t at the last step) and unitarity.png.
 *
 * <p>The whole stream is written before the job starts, so that the job's bounded source knows
 * where the run ends; training therefore starts only once every sequence is on the topic, and the
 * command shows no progress line while the job runs. The live monitor page ({@code --monitor})
 * reads only the adversarial runs' TrainingMetrics, so it is not started for a uRNN run.
 */
final class RecurrentTrainRun implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RecurrentTrainRun.class);

    private final TrainingOptions options;
    private final RecurrentTrainerSettings trainer;
    private final Path runDir;
    private final int parallelism;
    private final PrintWriter out;

    RecurrentTrainRun(
            TrainingOptions options,
            RecurrentTrainerSettings trainer,
            Path runDir,
            int parallelism,
            PrintWriter out) {
        this.options = options;
        this.trainer = trainer;
        this.runDir = runDir;
        this.parallelism = parallelism;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        String runId = options.runIdOrDefault();
        Path folder = runDir != null ? runDir : Path.of("runs", runId);
        Files.createDirectories(folder);
        out.printf(
                "Run %s: urnn %s for %d steps, outputs in %s%n",
                runId, trainer.describe(), trainer.steps(), folder);
        out.flush();
        EmbeddedKafkaBroker broker = null;
        try {
            String bootstrap = options.bootstrapServers;
            if (bootstrap == null) {
                broker = EmbeddedKafkaBroker.start(folder.resolve("kafka"));
                bootstrap = broker.bootstrapServers();
                EmbeddedKafkaBroker started = broker;
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () -> TrainCommand.closeQuietly(started), "broker-stop"));
                out.println("Started an embedded Kafka broker at " + bootstrap);
            }
            return train(runId, folder, bootstrap);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
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
        ProducedRange produced;
        try (SequenceSampleProducer producer =
                new SequenceSampleProducer(bootstrap, topics.data())) {
            produced =
                    producer.produce(
                            runId, trainer.task(), trainer.length(), options.seed, 0, sequences);
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
        double seconds = (System.nanoTime() - started) / 1e9;

        List<SequenceTrainingMetrics> metrics =
                readMetrics(bootstrap, topics.metrics(), metricsStart, runId);
        if (metrics.isEmpty()) {
            LOG.warn("Run {}: no metrics record on {}", runId, topics.metrics());
            out.println("The job wrote no metrics for run " + runId);
            return 1;
        }
        writeOutputs(folder, metrics);
        SequenceTrainingMetrics last = metrics.get(metrics.size() - 1);
        out.printf(
                Locale.ROOT,
                "Trained %d steps in %.0f s. Loss %.5f (baseline %.5f), recall accuracy %.3f,"
                        + " max |W^H W - I| %.2e%n",
                last.getStep(),
                seconds,
                last.getLoss(),
                last.getBaselineLoss(),
                last.getAccuracy(),
                last.getUnitarityDeviation());
        out.println("Outputs in " + folder.toAbsolutePath());
        out.flush();
        return 0;
    }

    /** The run's metrics records on the monitoring topic from {@code start} to its end now. */
    static List<SequenceTrainingMetrics> readMetrics(
            String bootstrap, String topic, Map<TopicPartition, Long> start, String runId) {
        AvroWireFormat<SequenceTrainingMetrics> format =
                AvroWireFormat.of(SequenceTrainingMetrics.class);
        Map<TopicPartition, Long> end = TopicAdministration.endOffsets(bootstrap, topic);
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<SequenceTrainingMetrics> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(end.keySet());
            for (TopicPartition partition : end.keySet()) {
                consumer.seek(partition, start.getOrDefault(partition, 0L));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!reached(consumer, end) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    if (!format.isOtherRecordType(record.value())) {
                        decodeInto(format, record, runId, records);
                    }
                }
            }
        }
        return records;
    }

    private static void decodeInto(
            AvroWireFormat<SequenceTrainingMetrics> format,
            ConsumerRecord<byte[], byte[]> record,
            String runId,
            List<SequenceTrainingMetrics> records) {
        try {
            SequenceTrainingMetrics metrics = format.decode(record.value());
            if (runId.equals(metrics.getRunId())) {
                records.add(metrics);
            }
        } catch (IOException e) {
            LOG.warn(
                    "Skipped an unreadable monitoring record at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
        }
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private static void writeOutputs(Path folder, List<SequenceTrainingMetrics> metrics)
            throws IOException {
        int count = metrics.size();
        double[] steps = new double[count];
        double[] loss = new double[count];
        double[] baseline = new double[count];
        double[] deviation = new double[count];
        StringBuilder csv =
                new StringBuilder(
                        "step,applied,loss,baseline_loss,accuracy,unitarity_deviation,"
                                + "gradient_norm,samples_per_second,data_offset,dead_letters\n");
        for (int i = 0; i < count; i++) {
            SequenceTrainingMetrics m = metrics.get(i);
            steps[i] = m.getStep();
            loss[i] = m.getLoss();
            baseline[i] = m.getBaselineLoss();
            deviation[i] = m.getUnitarityDeviation();
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%b,%.6g,%.6g,%.4f,%.3e,%.6g,%.1f,%d,%d%n",
                            m.getStep(),
                            m.getApplied(),
                            m.getLoss(),
                            m.getBaselineLoss(),
                            m.getAccuracy(),
                            m.getUnitarityDeviation(),
                            m.getGradientNorm(),
                            m.getSamplesPerSecond(),
                            m.getDataOffset(),
                            m.getDeadLetters()));
        }
        Files.writeString(folder.resolve("metrics.csv"), csv, StandardCharsets.UTF_8);
        SequenceTrainingMetrics first = metrics.get(0);
        Map<String, double[][]> losses = new LinkedHashMap<>();
        losses.put("uRNN loss on the step's batch", new double[][] {steps, loss});
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
                Map.of("uRNN", new double[][] {times, values}),
                900,
                500);
        LossPlot.writePngLogScale(
                folder.resolve("unitarity.png"),
                "Deviation of W from unitarity, run " + first.getRunId(),
                "max |W^H W - I|",
                Map.of("uRNN", new double[][] {steps, deviation}),
                900,
                500);
    }
}
