package io.latentflow.job.produce;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one run's records, numbered by sequence, to a topic without waiting for each, and reports
 * the offsets they got once all are acknowledged.
 *
 * <p>The first failed send stops the stream: later calls to {@link #send} throw, and {@link
 * #finish()} reports the sequence number that failed.
 */
final class SequencedTopicWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SequencedTopicWriter.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String runId;
    private final byte[] key;

    private long firstSequence = Long.MAX_VALUE;
    private long lastSequence = Long.MIN_VALUE;
    private long firstOffset = -1;
    private long lastOffset = -1;
    private int partition = -1;
    private long failedSequence = -1;
    private Exception failure;

    SequencedTopicWriter(Producer<byte[], byte[]> producer, String topic, String runId) {
        this.producer = producer;
        this.topic = topic;
        this.runId = runId;
        this.key = runId.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Creates a producer for sample streams: every record acknowledged by all in-sync replicas,
     * idempotent so that retries neither duplicate nor reorder, batched for a few milliseconds.
     */
    static Producer<byte[], byte[]> createProducer(String bootstrapServers, String clientId) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        // A 28 by 28 image is about 3 KB; the default 16 KB batch would hold only five.
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        return new KafkaProducer<>(
                properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Hands one record to the producer; returns at once unless the producer's buffer is full.
     *
     * @throws KafkaException if an earlier record of this stream failed
     */
    void send(long sequence, byte[] value) {
        throwIfFailed();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, value);
        producer.send(record, (metadata, exception) -> acknowledge(sequence, metadata, exception));
    }

    /**
     * Waits until every record sent is acknowledged and returns what was written.
     *
     * @throws KafkaException if any record failed, naming the first sequence number that did
     */
    ProducedRange finish() {
        producer.flush();
        throwIfFailed();
        ProducedRange range;
        synchronized (this) {
            if (partition < 0) {
                throw new IllegalStateException("No record of run " + runId + " was sent");
            }
            range =
                    new ProducedRange(
                            topic, partition, firstSequence, lastSequence, firstOffset, lastOffset);
        }
        LOG.info(
                "Wrote {} records of run {} to {}-{}: sequences {} to {} at offsets {} to {}",
                range.count(),
                runId,
                topic,
                range.partition(),
                range.firstSequence(),
                range.lastSequence(),
                range.firstOffset(),
                range.lastOffset());
        return range;
    }

    /** Runs on the producer's I/O thread when the broker has answered for one record. */
    private synchronized void acknowledge(
            long sequence, RecordMetadata metadata, Exception exception) {
        if (exception != null) {
            if (failure == null) {
                failure = exception;
                failedSequence = sequence;
                LOG.error(
                        "Writing run {} to topic {} failed at sequence {}",
                        runId,
                        topic,
                        sequence,
                        exception);
            }
            return;
        }
        partition = metadata.partition();
        if (sequence < firstSequence) {
            firstSequence = sequence;
            firstOffset = metadata.offset();
        }
        if (sequence > lastSequence) {
            lastSequence = sequence;
            lastOffset = metadata.offset();
        }
    }

    private synchronized void throwIfFailed() {
        if (failure != null) {
            throw new KafkaException(
                    "Writing run "
                            + runId
                            + " to topic "
                            + topic
                            + " failed at sequence "
                            + failedSequence,
                    failure);
        }
    }
}
