package io.latentflow.job.cli;

import io.latentflow.core.model.AdversarialBatch;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.operators.AdversarialTrainer;
import io.latentflow.schema.DataSample;
import io.latentflow.schema.LatentSample;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one probe's mini-batches back from the data and latent topics, from given offsets up to
 * given stop offsets, pairing examples with latent draws by sequence number as the trainer does:
 * batch k holds the next B sequence numbers present on both streams.
 *
 * <p>A record that does not decode, or has the wrong shape, is skipped and counted; its sequence
 * number is then missing from one stream, and the pair is dropped once the other stream has moved
 * past it, so that a bad record costs one example and never the probe.
 */
final class ProbeBatchReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeBatchReader.class);

    /** Examples held per stream before reading that stream pauses, so memory stays bounded. */
    private static final int PENDING_LIMIT = 5000;

    private final AvroWireFormat<DataSample> dataFormat = AvroWireFormat.dataSamples();
    private final AvroWireFormat<LatentSample> latentFormat = AvroWireFormat.latentSamples();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String runId;
    private final String dataTopic;
    private static final Comparator<TopicPartition> BY_NAME =
            Comparator.comparing(TopicPartition::toString);

    private final Map<TopicPartition, Long> stop;
    private final int batchSize;
    private final int dataDim;
    private final int latentDim;
    private final Duration idleTimeout;

    private final TreeMap<Long, Example> pendingData = new TreeMap<>();
    private final TreeMap<Long, Draw> pendingLatents = new TreeMap<>();
    private long highestDataSequence = -1;
    private long highestLatentSequence = -1;
    private long nextSequence;
    private long skippedRecords;

    /** A mini-batch without instance noise, the seeds to draw its noise from, and its offsets. */
    record ProbeBatch(
            AdversarialBatch batch, long[] noiseSeeds, long dataOffset, long latentOffset) {}

    private record Example(float[] pixels, long offset) {}

    private record Draw(long seed, float[] prior, float[] noise, long offset) {}

    /**
     * Starts reading a probe's streams.
     *
     * @param feed the probe's planned streams: cluster, topics, run id, start and stop offsets
     * @param batchSize examples per mini-batch
     * @param dataDim pixels per example the model takes
     * @param latentDim the length of z and eps the model takes
     * @param idleTimeout how long to wait for a record before giving up on the streams
     */
    ProbeBatchReader(
            StreamFeed feed, int batchSize, int dataDim, int latentDim, Duration idleTimeout) {
        this.runId = feed.runId();
        this.dataTopic = feed.topics().data();
        this.batchSize = batchSize;
        this.dataDim = dataDim;
        this.latentDim = latentDim;
        this.idleTimeout = idleTimeout;
        this.stop = new TreeMap<>(BY_NAME);
        Map<TopicPartition, Long> start = new TreeMap<>(BY_NAME);
        collectRange(feed.dataStart(), feed.dataStop(), start);
        collectRange(feed.latentStart(), feed.latentStop(), start);
        this.consumer = new KafkaConsumer<>(consumerConfig(feed.bootstrapServers()));
        consumer.assign(start.keySet());
        start.forEach(consumer::seek);
    }

    private void collectRange(
            Map<TopicPartition, Long> from,
            Map<TopicPartition, Long> until,
            Map<TopicPartition, Long> start) {
        from.forEach(
                (partition, offset) -> {
                    if (until.get(partition) > offset) {
                        start.put(partition, offset);
                        stop.put(partition, until.get(partition));
                    }
                });
    }

    private static Properties consumerConfig(String bootstrapServers) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return config;
    }

    /**
     * Returns the next mini-batch, waiting for its records, or null when the streams end before it
     * is complete.
     *
     * @throws IOException if no record arrives for the idle timeout while the streams are not yet
     *     read to their stop offsets
     */
    ProbeBatch next() throws IOException {
        List<Long> sequences = new ArrayList<>(batchSize);
        long idleSince = System.nanoTime();
        while (sequences.size() < batchSize) {
            if (streamsEnded()) {
                return null;
            }
            if (settled(nextSequence)) {
                takeOrDrop(nextSequence, sequences);
                nextSequence++;
                continue;
            }
            if (poll()) {
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince > idleTimeout.toNanos()) {
                throw new IOException(
                        "Probe "
                                + runId
                                + ": no record arrived for "
                                + idleTimeout.toSeconds()
                                + " s while waiting for sequence "
                                + nextSequence
                                + " (positions "
                                + positions()
                                + ", stop offsets "
                                + stop
                                + ")");
            }
        }
        return assemble(sequences);
    }

    /** Whether both streams have delivered, or moved past, a sequence number. */
    private boolean settled(long sequence) {
        boolean dataEnded = streamEnded(true);
        boolean latentEnded = streamEnded(false);
        return (pendingData.containsKey(sequence) || highestDataSequence > sequence || dataEnded)
                && (pendingLatents.containsKey(sequence)
                        || highestLatentSequence > sequence
                        || latentEnded);
    }

    private void takeOrDrop(long sequence, List<Long> sequences) {
        if (pendingData.containsKey(sequence) && pendingLatents.containsKey(sequence)) {
            sequences.add(sequence);
            return;
        }
        if (pendingData.remove(sequence) != null || pendingLatents.remove(sequence) != null) {
            LOG.warn(
                    "Probe {}: dropped sequence {}, whose other half was skipped", runId, sequence);
        }
    }

    private boolean streamsEnded() {
        return streamEnded(true) && streamEnded(false) && nextSequence > lastPendingSequence();
    }

    private long lastPendingSequence() {
        long last = -1;
        if (!pendingData.isEmpty()) {
            last = Math.max(last, pendingData.lastKey());
        }
        if (!pendingLatents.isEmpty()) {
            last = Math.max(last, pendingLatents.lastKey());
        }
        return last;
    }

    private boolean streamEnded(boolean data) {
        for (Map.Entry<TopicPartition, Long> entry : stop.entrySet()) {
            boolean isData = entry.getKey().topic().equals(dataTopic);
            if (isData == data && consumer.position(entry.getKey()) < entry.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Polls once; returns whether any record came. */
    private boolean poll() {
        boolean any = false;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            any = true;
            if (record.offset()
                    >= stop.get(new TopicPartition(record.topic(), record.partition()))) {
                continue;
            }
            if (record.topic().equals(dataTopic)) {
                acceptData(record);
            } else {
                acceptLatent(record);
            }
        }
        throttle();
        return any;
    }

    private void acceptData(ConsumerRecord<byte[], byte[]> record) {
        DataSample sample;
        try {
            sample = dataFormat.decode(record.value());
        } catch (IOException e) {
            skip(record, e.getMessage());
            return;
        }
        if (!runId.equals(sample.getRunId())) {
            return;
        }
        if (sample.getPixels().size() != dataDim || sample.getSequence() < 0) {
            skip(
                    record,
                    "sample of " + sample.getPixels().size() + " pixels, model takes " + dataDim);
            return;
        }
        highestDataSequence = Math.max(highestDataSequence, sample.getSequence());
        if (sample.getSequence() >= nextSequence) {
            pendingData.put(
                    sample.getSequence(),
                    new Example(toArray(sample.getPixels()), record.offset()));
        }
    }

    private void acceptLatent(ConsumerRecord<byte[], byte[]> record) {
        LatentSample sample;
        try {
            sample = latentFormat.decode(record.value());
        } catch (IOException e) {
            skip(record, e.getMessage());
            return;
        }
        if (!runId.equals(sample.getRunId())) {
            return;
        }
        if (sample.getPrior().size() != latentDim
                || sample.getNoise().size() != latentDim
                || sample.getSequence() < 0) {
            skip(record, "latent draw of dimension " + sample.getPrior().size());
            return;
        }
        highestLatentSequence = Math.max(highestLatentSequence, sample.getSequence());
        if (sample.getSequence() >= nextSequence) {
            pendingLatents.put(
                    sample.getSequence(),
                    new Draw(
                            sample.getSeed(),
                            toArray(sample.getPrior()),
                            toArray(sample.getNoise()),
                            record.offset()));
        }
    }

    private void skip(ConsumerRecord<byte[], byte[]> record, String reason) {
        skippedRecords++;
        LOG.warn(
                "Probe {}: skipped the record at {}-{}@{}: {}",
                runId,
                record.topic(),
                record.partition(),
                record.offset(),
                reason);
    }

    /** Pauses a stream that has run far ahead of the other, and resumes it once it has not. */
    private void throttle() {
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition partition : stop.keySet()) {
            int pending =
                    partition.topic().equals(dataTopic)
                            ? pendingData.size()
                            : pendingLatents.size();
            (pending > PENDING_LIMIT ? pause : resume).add(partition);
        }
        consumer.pause(pause);
        consumer.resume(resume);
    }

    private ProbeBatch assemble(List<Long> sequences) {
        int size = sequences.size();
        float[] x = new float[size * dataDim];
        float[] prior = new float[size * latentDim];
        float[] noise = new float[size * latentDim];
        long[] noiseSeeds = new long[size];
        long dataOffset = -1;
        long latentOffset = -1;
        for (int row = 0; row < size; row++) {
            long sequence = sequences.get(row);
            Example example = pendingData.remove(sequence);
            Draw draw = pendingLatents.remove(sequence);
            System.arraycopy(example.pixels(), 0, x, row * dataDim, dataDim);
            System.arraycopy(draw.prior(), 0, prior, row * latentDim, latentDim);
            System.arraycopy(draw.noise(), 0, noise, row * latentDim, latentDim);
            noiseSeeds[row] = AdversarialTrainer.instanceNoiseSeed(draw.seed(), sequence);
            dataOffset = Math.max(dataOffset, example.offset());
            latentOffset = Math.max(latentOffset, draw.offset());
        }
        AdversarialBatch batch =
                AdversarialBatch.of(
                        Nd4j.create(x, new long[] {size, dataDim}, DataType.FLOAT),
                        Nd4j.create(prior, new long[] {size, latentDim}, DataType.FLOAT),
                        Nd4j.create(noise, new long[] {size, latentDim}, DataType.FLOAT));
        return new ProbeBatch(batch, noiseSeeds, dataOffset, latentOffset);
    }

    private static float[] toArray(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }

    private Map<TopicPartition, Long> positions() {
        Map<TopicPartition, Long> positions = new TreeMap<>(BY_NAME);
        for (TopicPartition partition : stop.keySet()) {
            positions.put(partition, consumer.position(partition));
        }
        return positions;
    }

    /** Records of the probe's streams skipped so far because they did not decode or fit. */
    long skippedRecords() {
        return skippedRecords;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
