package io.latentflow.job;

import static org.junit.jupiter.api.Assertions.fail;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.InstanceNoise;
import io.latentflow.job.kafka.SnapshotAssembler;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.TrainerSettings;
import io.latentflow.job.produce.DataSampleProducer;
import io.latentflow.job.produce.IdxImageSource;
import io.latentflow.job.produce.LatentSampleProducer;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.ModelSnapshotChunk;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What the pipeline ITCases share: a small ALI, real Fashion-MNIST, and topic round trips. */
final class PipelineFixture {
    /** A small ali-mlp, so that fifty steps take seconds; same layers, narrower. */
    static final AdversarialConfig SMALL_MODEL =
            AdversarialConfig.mlpDefaults().withHiddenUnits(64).withLatentDim(8);

    static final int BATCH_SIZE = 16;

    private static IdxImageSource fashionMnist;

    private PipelineFixture() {}

    /** The real training set; .ci/run installs it with the Debian package. */
    static synchronized IdxImageSource fashionMnist() {
        if (fashionMnist == null) {
            try {
                fashionMnist = IdxImageSource.trainingSet(FashionMnist.DEFAULT_DIRECTORY);
            } catch (IOException e) {
                fail("These tests stream real Fashion-MNIST: " + e.getMessage());
            }
        }
        return fashionMnist;
    }

    static TrainerSettings trainer(long steps, int metricsInterval) {
        return TrainerSettings.of(
                SMALL_MODEL, InstanceNoise.NONE, BATCH_SIZE, steps, metricsInterval, 0);
    }

    /** Settings that also publish sample grids every {@code imageInterval} steps. */
    static TrainerSettings trainer(long steps, int metricsInterval, int imageInterval) {
        return TrainerSettings.of(
                SMALL_MODEL,
                InstanceNoise.NONE,
                BATCH_SIZE,
                steps,
                metricsInterval,
                0,
                imageInterval);
    }

    /** Writes {@code steps} mini-batches of one run's data and latent records. */
    static void produceRun(
            String bootstrap, TopicNames topics, String runId, long seed, long steps) {
        long count = steps * BATCH_SIZE;
        try (DataSampleProducer data = new DataSampleProducer(bootstrap, topics.data());
                LatentSampleProducer latents =
                        new LatentSampleProducer(bootstrap, topics.latent())) {
            data.produce(runId, fashionMnist(), seed, count);
            latents.produce(runId, seed, SMALL_MODEL.latentDim(), count);
        }
    }

    /** Writes mini-batches {@code firstStep} to {@code firstStep + steps - 1} of one run. */
    static void produceSteps(
            String bootstrap,
            TopicNames topics,
            String runId,
            long seed,
            long firstStep,
            long steps) {
        try (DataSampleProducer data = new DataSampleProducer(bootstrap, topics.data());
                LatentSampleProducer latents =
                        new LatentSampleProducer(bootstrap, topics.latent())) {
            data.produce(runId, fashionMnist(), seed, firstStep * BATCH_SIZE, steps * BATCH_SIZE);
            latents.produce(
                    runId,
                    seed,
                    SMALL_MODEL.latentDim(),
                    firstStep * BATCH_SIZE,
                    steps * BATCH_SIZE);
        }
    }

    /** A one-slot local MiniCluster that fails a test instead of restarting its job forever. */
    static StreamExecutionEnvironment localEnvironment() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return StreamExecutionEnvironment.createLocalEnvironment(1, config);
    }

    /** Runs the job in a MiniCluster over the topics' records from the given offsets to now. */
    static void runJob(
            String bootstrap,
            TopicNames topics,
            String defaultRunId,
            TrainerSettings trainer,
            Map<TopicPartition, Long> dataStart,
            Map<TopicPartition, Long> latentStart)
            throws Exception {
        StreamExecutionEnvironment env = localEnvironment();
        AdversarialTrainingJob.build(
                env, settings(bootstrap, topics, defaultRunId, trainer, dataStart, latentStart));
        env.execute("pipeline-test-" + defaultRunId);
    }

    /** Settings of a job over the topics' records from the given offsets to now. */
    static JobSettings settings(
            String bootstrap,
            TopicNames topics,
            String defaultRunId,
            TrainerSettings trainer,
            Map<TopicPartition, Long> dataStart,
            Map<TopicPartition, Long> latentStart) {
        return new JobSettings(
                bootstrap,
                topics,
                defaultRunId,
                trainer,
                dataStart,
                TopicAdministration.endOffsets(bootstrap, topics.data()),
                latentStart,
                TopicAdministration.endOffsets(bootstrap, topics.latent()),
                null);
    }

    /** Every record of {@code topic}, decoded, from the beginning to the current end. */
    static <T> List<T> readAll(String bootstrap, String topic, Function<byte[], T> decode) {
        return read(bootstrap, topic, decode, "read_uncommitted");
    }

    /**
     * Every record of {@code topic} that a committed transaction (or no transaction) wrote,
     * decoded: what an exactly-once sink delivered.
     */
    static <T> List<T> readCommitted(String bootstrap, String topic, Function<byte[], T> decode) {
        return read(bootstrap, topic, decode, "read_committed");
    }

    /** Every model snapshot on {@code topic}, put together from its pieces, in topic order. */
    static List<ModelSnapshot> readSnapshots(String bootstrap, String topic) {
        return assemble(
                readAll(
                        bootstrap,
                        topic,
                        Decoder.unchecked(ModelSnapshotChunk.getDecoder()::decode)));
    }

    /**
     * The snapshots on {@code topic} whose pieces were committed, as an exactly-once sink wrote.
     */
    static List<ModelSnapshot> readCommittedSnapshots(String bootstrap, String topic) {
        return assemble(
                readCommitted(
                        bootstrap,
                        topic,
                        Decoder.unchecked(ModelSnapshotChunk.getDecoder()::decode)));
    }

    private static List<ModelSnapshot> assemble(List<ModelSnapshotChunk> chunks) {
        SnapshotAssembler assembler = new SnapshotAssembler();
        List<ModelSnapshot> snapshots = new ArrayList<>();
        for (ModelSnapshotChunk chunk : chunks) {
            try {
                assembler.add(chunk).ifPresent(snapshots::add);
            } catch (IOException e) {
                throw new AssertionError("Snapshot pieces that do not fit together", e);
            }
        }
        return snapshots;
    }

    private static <T> List<T> read(
            String bootstrap, String topic, Function<byte[], T> decode, String isolation) {
        Map<TopicPartition, Long> end = TopicAdministration.endOffsets(bootstrap, topic);
        Properties config = new Properties();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!reached(consumer, end) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    records.add(decode.apply(record.value()));
                }
            }
        }
        return records;
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /** Decodes an Avro single-object record, turning checked failures into assertion errors. */
    interface Decoder<T> {
        T decode(byte[] bytes) throws IOException;

        static <T> Function<byte[], T> unchecked(Decoder<T> decoder) {
            return bytes -> {
                try {
                    return decoder.decode(bytes);
                } catch (IOException e) {
                    throw new AssertionError("Undecodable record on an output topic", e);
                }
            };
        }
    }
}
