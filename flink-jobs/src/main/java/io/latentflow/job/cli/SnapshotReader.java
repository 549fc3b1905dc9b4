package io.latentflow.job.cli;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.SnapshotAssembler;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.ModelSnapshotChunk;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a run's model snapshots from the snapshot topic, putting their pieces back together. */
final class SnapshotReader {

    private SnapshotReader() {}

    /** Returns the run's snapshot of the given step, the first one found from {@code from}. */
    static ModelSnapshot find(
            String bootstrapServers,
            String topic,
            Map<TopicPartition, Long> from,
            String runId,
            long step,
            Duration timeout)
            throws IOException {
        return readUntil(bootstrapServers, topic, from, runId, step, timeout, snapshot -> {});
    }

    /**
     * Hands each of the run's snapshots found from {@code from} to {@code each}, in topic order,
     * until the one of the given step, which it returns.
     */
    static ModelSnapshot readUntil(
            String bootstrapServers,
            String topic,
            Map<TopicPartition, Long> from,
            String runId,
            long step,
            Duration timeout,
            SnapshotConsumer each)
            throws IOException {
        SnapshotAssembler assembler = new SnapshotAssembler();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    Optional<ModelSnapshot> snapshot = assemble(assembler, record, runId);
                    if (snapshot.isEmpty()) {
                        continue;
                    }
                    each.accept(snapshot.get());
                    if (snapshot.get().getStep() == step) {
                        return snapshot.get();
                    }
                }
            }
        }
        throw new IOException(
                "No snapshot of run "
                        + runId
                        + " at step "
                        + step
                        + " on topic "
                        + topic
                        + " within "
                        + timeout.toSeconds()
                        + " s");
    }

    /**
     * Returns the run's latest snapshot on the topic (the highest version), or the latest of the
     * given step; reads the topic from its beginning to its current end.
     *
     * @param step the step wanted, or null for the latest snapshot
     * @throws IOException if the topic holds no such snapshot
     */
    static ModelSnapshot latest(String bootstrapServers, String topic, String runId, Long step)
            throws IOException {
        Map<TopicPartition, Long> end = TopicAdministration.endOffsets(bootstrapServers, topic);
        SnapshotAssembler assembler = new SnapshotAssembler();
        ModelSnapshot latest = null;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("Reading " + topic + " took more than 120 s");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    Optional<ModelSnapshot> snapshot = assemble(assembler, record, runId);
                    if (snapshot.isPresent()
                            && (step == null || snapshot.get().getStep() == step)
                            && (latest == null
                                    || snapshot.get().getVersion() >= latest.getVersion())) {
                        latest = snapshot.get();
                    }
                }
            }
        }
        if (latest == null) {
            throw new IOException(
                    "No snapshot of run "
                            + runId
                            + (step == null ? "" : " at step " + step)
                            + " on topic "
                            + topic
                            + " at "
                            + bootstrapServers);
        }
        return latest;
    }

    private static Optional<ModelSnapshot> assemble(
            SnapshotAssembler assembler, ConsumerRecord<byte[], byte[]> record, String runId)
            throws IOException {
        ModelSnapshotChunk chunk;
        try {
            chunk = AvroWireFormat.modelSnapshotChunks().decode(record.value());
        } catch (IOException e) {
            throw new IOException(
                    "Unreadable snapshot piece at "
                            + record.topic()
                            + "-"
                            + record.partition()
                            + "@"
                            + record.offset(),
                    e);
        }
        if (!chunk.getRunId().toString().equals(runId)) {
            return Optional.empty();
        }
        return assembler.add(chunk);
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Only committed pieces: an exactly-once job's aborted transactions leave pieces behind.
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(config);
    }

    /** Receives snapshots as they are read. */
    @FunctionalInterface
    interface SnapshotConsumer {
        void accept(ModelSnapshot snapshot) throws IOException;
    }
}
