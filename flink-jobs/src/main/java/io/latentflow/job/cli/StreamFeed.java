package io.latentflow.job.cli;

import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.produce.DataSampleProducer;
import io.latentflow.job.produce.ImageSource;
import io.latentflow.job.produce.LatentSampleProducer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run's input streams: where on the data and latent topics the run's records begin and end, and
 * the producers that write them while the job trains.
 *
 * <p>The end offsets are known before anything is written (every record of a run has the run id as
 * its key, so all land on one partition), which lets the job stop exactly after the run's last
 * record while the producers are still writing.
 */
final class StreamFeed {
    private static final Logger LOG = LoggerFactory.getLogger(StreamFeed.class);

    /** Records of each stream written before switching to the other, so neither runs far ahead. */
    private static final long CHUNK = 1000;

    private final String bootstrapServers;
    private final TopicNames topics;
    private final String runId;
    private final Map<TopicPartition, Long> dataStart;
    private final Map<TopicPartition, Long> dataStop;
    private final Map<TopicPartition, Long> latentStart;
    private final Map<TopicPartition, Long> latentStop;
    private volatile Throwable failure;

    private StreamFeed(
            String bootstrapServers,
            TopicNames topics,
            String runId,
            Map<TopicPartition, Long> dataStart,
            Map<TopicPartition, Long> latentStart,
            long records) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.runId = runId;
        this.dataStart = dataStart;
        this.latentStart = latentStart;
        this.dataStop = advanced(dataStart, runId, records);
        this.latentStop = advanced(latentStart, runId, records);
    }

    /** Plans a run's streams from the topics' current ends. */
    static StreamFeed plan(
            String bootstrapServers, TopicNames topics, String runId, TrainingOptions options) {
        return plan(bootstrapServers, topics, runId, options.examples());
    }

    /** Plans streams of {@code records} examples and latent draws from the topics' ends. */
    static StreamFeed plan(String bootstrapServers, TopicNames topics, String runId, long records) {
        return new StreamFeed(
                bootstrapServers,
                topics,
                runId,
                TopicAdministration.endOffsets(bootstrapServers, topics.data()),
                TopicAdministration.endOffsets(bootstrapServers, topics.latent()),
                records);
    }

    /** The stop offsets: the run's records all land on the partition its key hashes to. */
    private static Map<TopicPartition, Long> advanced(
            Map<TopicPartition, Long> start, String runId, long records) {
        int partitions = start.size();
        int target =
                Utils.toPositive(Utils.murmur2(runId.getBytes(StandardCharsets.UTF_8)))
                        % partitions;
        Map<TopicPartition, Long> stop = new HashMap<>(start);
        stop.replaceAll(
                (partition, offset) -> partition.partition() == target ? offset + records : offset);
        return stop;
    }

    /** Writes the run's data and latent records, alternating in chunks. */
    void produce(ImageSource images, TrainingOptions options) {
        produce(images, options.seed, options.latentDim, options.examples());
    }

    /**
     * Writes {@code total} data records in the seed's order and as many latent draws of the given
     * dimension, alternating in chunks.
     */
    void produce(ImageSource images, long seed, int latentDim, long total) {
        produce(images, seed, latentDim, 0, total);
    }

    /**
     * Writes {@code total} data records and latent draws from sequence number {@code firstSequence}
     * on, alternating in chunks: a run's streams continued where an earlier producer stopped.
     */
    void produce(ImageSource images, long seed, int latentDim, long firstSequence, long total) {
        try (DataSampleProducer data = new DataSampleProducer(bootstrapServers, topics.data());
                LatentSampleProducer latents =
                        new LatentSampleProducer(bootstrapServers, topics.latent())) {
            for (long first = firstSequence; first < firstSequence + total; first += CHUNK) {
                long count = Math.min(CHUNK, firstSequence + total - first);
                data.produce(runId, images, seed, first, count);
                latents.produce(runId, seed, latentDim, first, count);
            }
        }
        LOG.info(
                "Run {}: wrote {} data samples and latent draws from sequence {}",
                runId,
                total,
                firstSequence);
    }

    /** Starts {@link #produce} on a thread; a failure is kept for {@link #rethrowFailure}. */
    Thread startInBackground(ImageSource images, TrainingOptions options) {
        return startInBackground(images, options.seed, options.latentDim, options.examples());
    }

    /** Starts {@link #produce(ImageSource, long, int, long)} on a thread, like the above. */
    Thread startInBackground(ImageSource images, long seed, int latentDim, long total) {
        Thread thread =
                new Thread(
                        () -> {
                            try {
                                produce(images, seed, latentDim, total);
                            } catch (Throwable e) {
                                failure = e;
                                LOG.error("Run {}: writing the input streams failed", runId, e);
                            }
                        },
                        "stream-feed-" + runId);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Starts writing {@code total} data records in the seed's order on a thread, without latent
     * draws, for a model that takes none; a failure is kept for {@link #rethrowFailure}.
     */
    Thread startDataInBackground(ImageSource images, long seed, long total) {
        Thread thread =
                new Thread(
                        () -> {
                            try (DataSampleProducer data =
                                    new DataSampleProducer(bootstrapServers, topics.data())) {
                                for (long first = 0; first < total; first += CHUNK) {
                                    data.produce(
                                            runId,
                                            images,
                                            seed,
                                            first,
                                            Math.min(CHUNK, total - first));
                                }
                                LOG.info("Run {}: wrote {} data samples", runId, total);
                            } catch (Throwable e) {
                                failure = e;
                                LOG.error("Run {}: writing the data stream failed", runId, e);
                            }
                        },
                        "data-feed-" + runId);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    void rethrowFailure() {
        if (failure != null) {
            throw new IllegalStateException("Writing the input streams failed", failure);
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    TopicNames topics() {
        return topics;
    }

    String runId() {
        return runId;
    }

    Map<TopicPartition, Long> dataStart() {
        return dataStart;
    }

    Map<TopicPartition, Long> dataStop() {
        return dataStop;
    }

    Map<TopicPartition, Long> latentStart() {
        return latentStart;
    }

    Map<TopicPartition, Long> latentStop() {
        return latentStop;
    }

    /** The offset ranges read, by topic and partition, for the manifest. */
    Map<String, Object> describe(TopicNames names) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put(names.data(), ranges(dataStart, dataStop));
        description.put(names.latent(), ranges(latentStart, latentStop));
        return description;
    }

    private static Map<String, Object> ranges(
            Map<TopicPartition, Long> start, Map<TopicPartition, Long> stop) {
        Map<String, Object> ranges = new LinkedHashMap<>();
        start.forEach(
                (partition, offset) -> {
                    if (!stop.get(partition).equals(offset)) {
                        Map<String, Long> range = new LinkedHashMap<>();
                        range.put("from", offset);
                        range.put("until", stop.get(partition));
                        ranges.put("partition " + partition.partition(), range);
                    }
                });
        return ranges;
    }
}
