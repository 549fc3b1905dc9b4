package io.latentflow.job.cli;

import io.latentflow.job.AdversarialTrainingJob;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.ModelSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a run's model snapshots from the snapshot topic. */
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
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                AdversarialTrainingJob.MAX_SNAPSHOT_BYTES);
        config.put(
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, AdversarialTrainingJob.MAX_SNAPSHOT_BYTES);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    ModelSnapshot snapshot = AvroWireFormat.modelSnapshots().decode(record.value());
                    if (!snapshot.getRunId().equals(runId)) {
                        continue;
                    }
                    each.accept(snapshot);
                    if (snapshot.getStep() == step) {
                        return snapshot;
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

    /** Receives snapshots as they are read. */
    @FunctionalInterface
    interface SnapshotConsumer {
        void accept(ModelSnapshot snapshot) throws IOException;
    }
}
