package io.latentflow.job.produce;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.DataSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a dataset into the data topic as {@link DataSample} records.
 *
 * <p>The stream visits the dataset epoch after epoch in the {@link EpochOrder} of a seed: the
 * record with sequence number {@code s} holds the image at index {@link EpochOrder#indexAt
 * EpochOrder.indexAt(s)}, so a run replayed from any sequence number sees the same examples.
 * Records are keyed by the run's id in UTF-8 and valued in the {@link AvroWireFormat}.
 */
public final class DataSampleProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataSampleProducer.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final AvroWireFormat<DataSample> wireFormat = AvroWireFormat.dataSamples();

    /**
     * Creates a producer writing to a topic of a cluster.
     *
     * @param bootstrapServers the cluster
     * @param topic the data topic
     */
    public DataSampleProducer(String bootstrapServers, String topic) {
        this(
                SequencedTopicWriter.createProducer(bootstrapServers, "latentflow-data-producer"),
                topic);
    }

    /**
     * Creates a producer writing through a Kafka producer, which it closes when it is closed.
     *
     * @param producer the Kafka producer
     * @param topic the data topic
     */
    public DataSampleProducer(Producer<byte[], byte[]> producer, String topic) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /**
     * Writes the first {@code count} records of a run's stream, sequence numbers 0 to {@code count
     * - 1}; returns when all are acknowledged.
     *
     * @see #produce(String, ImageSource, long, long, long)
     */
    public ProducedRange produce(String runId, ImageSource source, long seed, long count) {
        return produce(runId, source, seed, 0, count);
    }

    /**
     * Writes {@code count} records of a run's stream from sequence number {@code firstSequence};
     * returns when all are acknowledged.
     *
     * @param runId the run, the key of every record
     * @param source the dataset
     * @param seed the seed of the run's data order
     * @param firstSequence the sequence number of the first record to write
     * @param count the number of records to write, at least 1
     * @return the sequence numbers and offsets written
     * @throws org.apache.kafka.common.KafkaException if a record could not be written
     */
    public ProducedRange produce(
            String runId, ImageSource source, long seed, long firstSequence, long count) {
        requireRun(runId);
        Objects.requireNonNull(source, "source");
        if (firstSequence < 0 || count < 1) {
            throw new IllegalArgumentException(
                    "Need firstSequence >= 0 and count >= 1, had "
                            + firstSequence
                            + " and "
                            + count);
        }

        LOG.info(
                "Writing {} data samples of run {} to topic {} from sequence {}, seed {}",
                count,
                runId,
                topic,
                firstSequence,
                seed);
        EpochOrder order = new EpochOrder(seed, source.count());
        SequencedTopicWriter writer = new SequencedTopicWriter(producer, topic, runId);
        for (long sequence = firstSequence; sequence < firstSequence + count; sequence++) {
            int index = order.indexAt(sequence);
            writer.send(sequence, wireFormat.encode(sample(runId, sequence, index, source)));
        }
        return writer.finish();
    }

    /**
     * Returns the record of one example.
     *
     * @param runId the run
     * @param sequence the record's position in the run's stream
     * @param index the example's index in the dataset
     * @param source the dataset
     */
    public static DataSample sample(String runId, long sequence, int index, ImageSource source) {
        float[] image = source.image(index);
        int height = source.height();
        int width = source.width();
        if (image.length != height * width) {
            throw new IllegalArgumentException(
                    "Image "
                            + index
                            + " has "
                            + image.length
                            + " pixels, not "
                            + height
                            + " * "
                            + width);
        }
        List<Float> pixels = new ArrayList<>(image.length);
        for (float pixel : image) {
            pixels.add(pixel);
        }
        return DataSample.newBuilder()
                .setRunId(runId)
                .setSequence(sequence)
                .setSourceIndex(index)
                .setLabel(source.label(index))
                .setHeight(height)
                .setWidth(width)
                .setPixels(pixels)
                .build();
    }

    /** Closes the Kafka producer, after sending whatever it still holds. */
    @Override
    public void close() {
        producer.close();
    }

    static void requireRun(String runId) {
        if (runId == null || runId.isBlank()) {
            throw new IllegalArgumentException("A run id is required, was '" + runId + "'");
        }
    }
}
