package io.latentflow.job.produce;

import io.latentflow.core.tasks.PixelByPixelTask;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.operators.SequenceTask;
import io.latentflow.schema.SequenceSample;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a sequence task into the data topic as {@link SequenceSample} records: for copying memory
 * and adding, the record with sequence number {@code s} holds example {@code s} of the task's
 * seeded stream; for the pixel tasks, the training image at position {@code s} of the seeded {@link
 * EpochOrder}, read in the task's pixel order. Either way a run replayed from any sequence number
 * sees the same examples. Records are keyed by the run's id in UTF-8 and valued in the {@link
 * AvroWireFormat}.
 */
public final class SequenceSampleProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SequenceSampleProducer.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final AvroWireFormat<SequenceSample> wireFormat =
            AvroWireFormat.of(SequenceSample.class);

    /**
     * Creates a producer writing to a topic of a cluster.
     *
     * @param bootstrapServers the cluster
     * @param topic the data topic
     */
    public SequenceSampleProducer(String bootstrapServers, String topic) {
        this.producer =
                SequencedTopicWriter.createProducer(
                        bootstrapServers, "latentflow-sequence-producer");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /**
     * Writes records {@code firstSequence} to {@code firstSequence + count - 1} of a run's stream;
     * returns when all are acknowledged.
     *
     * @param runId the run, the key of every record
     * @param task the task
     * @param length the delay T of copying or the length T of adding
     * @param taskSeed the seed of the task's example stream
     * @param firstSequence the sequence number of the first record to write
     * @param count the number of records to write, at least 1
     * @return the sequence numbers and offsets written
     * @throws org.apache.kafka.common.KafkaException if a record could not be written
     */
    public ProducedRange produce(
            String runId,
            SequenceTask task,
            int length,
            long taskSeed,
            long firstSequence,
            long count) {
        DataSampleProducer.requireRun(runId);
        Objects.requireNonNull(task, "task");
        if (firstSequence < 0 || count < 1) {
            throw new IllegalArgumentException(
                    "Need firstSequence >= 0 and count >= 1, had "
                            + firstSequence
                            + " and "
                            + count);
        }
        LOG.info(
                "Writing {} {} sequences (T = {}) of run {} to topic {} from sequence {}, seed {}",
                count,
                task.optionName(),
                length,
                runId,
                topic,
                firstSequence,
                taskSeed);
        SequencedTopicWriter writer = new SequencedTopicWriter(producer, topic, runId);
        for (long sequence = firstSequence; sequence < firstSequence + count; sequence++) {
            writer.send(
                    sequence, wireFormat.encode(task.sample(runId, length, taskSeed, sequence)));
        }
        return writer.finish();
    }

    /**
     * Writes records {@code firstSequence} to {@code firstSequence + count - 1} of a pixel task's
     * stream: epoch after epoch over the training images, each epoch in the order {@link
     * EpochOrder} draws from the task seed; returns when all are acknowledged.
     *
     * @param runId the run, the key of every record
     * @param task pixel or permuted-pixel
     * @param images the training images with the task's pixel order
     * @param taskSeed the seed of the image order
     * @param firstSequence the sequence number of the first record to write
     * @param count the number of records to write, at least 1
     * @return the sequence numbers and offsets written
     */
    public ProducedRange producePixels(
            String runId,
            SequenceTask task,
            PixelByPixelTask images,
            long taskSeed,
            long firstSequence,
            long count) {
        DataSampleProducer.requireRun(runId);
        if (!task.isPixelTask()) {
            throw new IllegalArgumentException(task.optionName() + " is not a pixel task");
        }
        if (firstSequence < 0 || count < 1) {
            throw new IllegalArgumentException(
                    "Need firstSequence >= 0 and count >= 1, had "
                            + firstSequence
                            + " and "
                            + count);
        }
        LOG.info(
                "Writing {} {} sequences of {} training images of run {} to topic {} from"
                        + " sequence {}, seed {}",
                count,
                task.optionName(),
                images.count(),
                runId,
                topic,
                firstSequence,
                taskSeed);
        EpochOrder order = new EpochOrder(taskSeed, images.count());
        SequencedTopicWriter writer = new SequencedTopicWriter(producer, topic, runId);
        for (long sequence = firstSequence; sequence < firstSequence + count; sequence++) {
            SequenceSample sample =
                    task.pixelSample(runId, images, order.indexAt(sequence), taskSeed, sequence);
            writer.send(sequence, wireFormat.encode(sample));
        }
        return writer.finish();
    }

    /** Closes the Kafka producer, after sending whatever it still holds. */
    @Override
    public void close() {
        producer.close();
    }
}
