package io.latentflow.job;

import io.latentflow.job.operators.AvroValueSerializer;
import io.latentflow.job.operators.KafkaPayload;
import io.latentflow.job.operators.KafkaPayloadDeserializer;
import io.latentflow.job.operators.RecordKeySerializer;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.common.TopicPartition;

/** The Kafka sources and sinks the training jobs are built from, configured alike. */
final class KafkaEndpoints {
    private KafkaEndpoints() {}

    /**
     * Returns a source of undecoded records of one topic from {@code start} (null: the earliest) to
     * {@code stop} (null: without end), with the consumer group of the job's default run.
     */
    static KafkaSource<KafkaPayload> source(
            String bootstrapServers,
            String defaultRunId,
            String topic,
            Map<TopicPartition, Long> start,
            Map<TopicPartition, Long> stop) {
        var builder =
                KafkaSource.<KafkaPayload>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setTopics(topic)
                        .setGroupId("latentflow-" + defaultRunId)
                        .setDeserializer(new KafkaPayloadDeserializer())
                        .setStartingOffsets(
                                start == null
                                        ? OffsetsInitializer.earliest()
                                        : OffsetsInitializer.offsets(start))
                        .setProperty("commit.offsets.on.checkpoint", "false");
        if (stop != null) {
            builder.setBounded(OffsetsInitializer.offsets(stop));
        }
        return builder.build();
    }

    /**
     * How long a transaction of an exactly-once sink may stay open: below the broker's default
     * maximum of 15 minutes (Flink's own default of an hour is refused there).
     */
    static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

    /**
     * Returns an at-least-once sink of Avro records in single-object encoding, keyed by {@code
     * keyOf}; {@code maxRecordBytes} raises the producer's request limit where records are large.
     */
    static <T extends SpecificRecord> KafkaSink<T> sink(
            String bootstrapServers,
            String topic,
            Class<T> recordClass,
            RecordKeySerializer.SerializableKey<T> keyOf,
            Integer maxRecordBytes) {
        return sink(bootstrapServers, topic, recordClass, keyOf, maxRecordBytes, false, null);
    }

    /**
     * Returns a sink like {@link #sink(String, String, Class, RecordKeySerializer.SerializableKey,
     * Integer)} that, when {@code exactlyOnce}, writes in Kafka transactions committed with the
     * job's checkpoints, under ids that start with {@code transactionalIdPrefix}.
     */
    static <T extends SpecificRecord> KafkaSink<T> sink(
            String bootstrapServers,
            String topic,
            Class<T> recordClass,
            RecordKeySerializer.SerializableKey<T> keyOf,
            Integer maxRecordBytes,
            boolean exactlyOnce,
            String transactionalIdPrefix) {
        Properties producer = new Properties();
        if (maxRecordBytes != null) {
            producer.setProperty("max.request.size", Integer.toString(maxRecordBytes));
            producer.setProperty("buffer.memory", Long.toString(4L * maxRecordBytes));
        }
        producer.setProperty(
                "transaction.timeout.ms", Long.toString(TRANSACTION_TIMEOUT.toMillis()));
        // Without checkpoints there is nothing to commit transactions with; metrics, snapshots and
        // grids are facts about a step, so a repeated one after a failure says the same.
        var builder =
                KafkaSink.<T>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setKafkaProducerConfig(producer)
                        .setDeliveryGuarantee(
                                exactlyOnce
                                        ? DeliveryGuarantee.EXACTLY_ONCE
                                        : DeliveryGuarantee.AT_LEAST_ONCE)
                        .setRecordSerializer(
                                KafkaRecordSerializationSchema.<T>builder()
                                        .setTopic(topic)
                                        .setKeySerializationSchema(new RecordKeySerializer<>(keyOf))
                                        .setValueSerializationSchema(
                                                new AvroValueSerializer<>(recordClass))
                                        .build());
        if (transactionalIdPrefix != null) {
            builder.setTransactionalIdPrefix(transactionalIdPrefix);
        }
        return builder.build();
    }
}
