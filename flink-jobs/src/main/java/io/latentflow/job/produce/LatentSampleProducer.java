package io.latentflow.job.produce;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.LatentSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the random draws of a run into the latent topic as {@link LatentSample} records.
 *
 * <p>Replay contract: the draws of the record with sequence number {@code s} in the stream of
 * {@code seed} depend on {@code (seed, s)} alone. They come from {@code new
 * SplittableRandom(SplitMix64.derive(seed, s))}: first {@code latentDimension} calls of {@code
 * nextGaussian()} for the prior z, then {@code latentDimension} more for the noise eps, each
 * rounded to float. A record can therefore be recomputed without reading the ones before it. {@code
 * nextGaussian()} is the JDK's ziggurat algorithm of {@code RandomGenerator}, unchanged since Java
 * 17; a JDK that changed it would change the draws.
 *
 * <p>Records are keyed by the run's id in UTF-8 and valued in the {@link AvroWireFormat}.
 */
public final class LatentSampleProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LatentSampleProducer.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final AvroWireFormat<LatentSample> wireFormat = AvroWireFormat.latentSamples();

    /**
     * Creates a producer writing to a topic of a cluster.
     *
     * @param bootstrapServers the cluster
     * @param topic the latent topic
     */
    public LatentSampleProducer(String bootstrapServers, String topic) {
        this(
                SequencedTopicWriter.createProducer(bootstrapServers, "latentflow-latent-producer"),
                topic);
    }

    /**
     * Creates a producer writing through a Kafka producer, which it closes when it is closed.
     *
     * @param producer the Kafka producer
     * @param topic the latent topic
     */
    public LatentSampleProducer(Producer<byte[], byte[]> producer, String topic) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /**
     * Writes the first {@code count} records of a run's latent stream, sequence numbers 0 to {@code
     * count - 1}; returns when all are acknowledged.
     *
     * @see #produce(String, long, int, long, long)
     */
    public ProducedRange produce(String runId, long seed, int latentDimension, long count) {
        return produce(runId, seed, latentDimension, 0, count);
    }

    /**
     * Writes {@code count} records of a run's latent stream from sequence number {@code
     * firstSequence}; returns when all are acknowledged.
     *
     * @param runId the run, the key of every record
     * @param seed the seed of the run's latent stream
     * @param latentDimension the length of z and of eps
     * @param firstSequence the sequence number of the first record to write
     * @param count the number of records to write, at least 1
     * @return the sequence numbers and offsets written
     * @throws org.apache.kafka.common.KafkaException if a record could not be written
     */
    public ProducedRange produce(
            String runId, long seed, int latentDimension, long firstSequence, long count) {
        DataSampleProducer.requireRun(runId);
        if (firstSequence < 0 || count < 1) {
            throw new IllegalArgumentException(
                    "Need firstSequence >= 0 and count >= 1, had "
                            + firstSequence
                            + " and "
                            + count);
        }
        requireDimension(latentDimension);

        LOG.info(
                "Writing {} latent samples of run {} to topic {} from sequence {}, seed {}, "
                        + "dimension {}",
                count,
                runId,
                topic,
                firstSequence,
                seed,
                latentDimension);
        SequencedTopicWriter writer = new SequencedTopicWriter(producer, topic, runId);
        for (long sequence = firstSequence; sequence < firstSequence + count; sequence++) {
            writer.send(sequence, wireFormat.encode(draw(runId, seed, sequence, latentDimension)));
        }
        return writer.finish();
    }

    /**
     * Returns the record at one position of a run's latent stream, as described in the class
     * comment.
     *
     * @param runId the run
     * @param seed the seed of the run's latent stream
     * @param sequence the position in the stream, counting from 0
     * @param latentDimension the length of z and of eps
     */
    public static LatentSample draw(String runId, long seed, long sequence, int latentDimension) {
        requireDimension(latentDimension);
        SplittableRandom random = new SplittableRandom(SplitMix64.derive(seed, sequence));
        List<Float> prior = standardNormal(random, latentDimension);
        List<Float> noise = standardNormal(random, latentDimension);
        return LatentSample.newBuilder()
                .setRunId(runId)
                .setSeed(seed)
                .setSequence(sequence)
                .setPrior(prior)
                .setNoise(noise)
                .build();
    }

    /** Closes the Kafka producer, after sending whatever it still holds. */
    @Override
    public void close() {
        producer.close();
    }

    private static List<Float> standardNormal(SplittableRandom random, int dimension) {
        List<Float> values = new ArrayList<>(dimension);
        for (int i = 0; i < dimension; i++) {
            values.add((float) random.nextGaussian());
        }
        return values;
    }

    private static void requireDimension(int latentDimension) {
        if (latentDimension < 1) {
            throw new IllegalArgumentException(
                    "The latent dimension must be at least 1, was " + latentDimension);
        }
    }
}
