package io.latentflow.job.monitor;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.AutoencoderTrainingMetrics;
import io.latentflow.schema.SampleGrid;
import io.latentflow.schema.SequenceTrainingMetrics;
import io.latentflow.schema.TrainingMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the metrics topic for as long as the monitor runs and adds each record of the followed runs
 * to a {@link RunHistories}, whichever model wrote it (adversarial {@link TrainingMetrics},
 * recurrent {@link SequenceTrainingMetrics}, autoencoder {@link AutoencoderTrainingMetrics}); and,
 * when given one, the images topic, whose grids go to a {@link GridImages}.
 *
 * <p>It reads every partition of the topic without a consumer group, so it commits nothing and
 * disturbs nobody. Records of another type that share the topic are recognised by the schema
 * fingerprint in their header and skipped, as are records that cannot be read; both are counted in
 * the status. When the broker cannot be reached, the status says so and the follower keeps trying;
 * Kafka's consumer resumes from its position once the broker is back.
 *
 * <p>The images topic is looked up once, when the metrics topic is found; if it does not exist
 * then, the monitor shows curves without grids until it is restarted.
 */
public final class MetricsTopicFollower implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsTopicFollower.class);

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final long HEALTH_CHECK_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long RETRY_PAUSE_MILLIS = 1000;

    /** Where to start reading the topic. */
    public enum Start {
        /** Every record the topic still holds. */
        BEGINNING,
        /** Only records written after the follower first reaches the topic. */
        END
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Start start;
    private final Map<TopicPartition, Long> startOffsets;
    private final Set<String> runIds;
    private final RunHistories histories;
    private final String imagesTopic;
    private final GridImages grids;
    private final AvroWireFormat<TrainingMetrics> metricsFormat = AvroWireFormat.trainingMetrics();
    private final AvroWireFormat<SequenceTrainingMetrics> sequenceFormat =
            AvroWireFormat.of(SequenceTrainingMetrics.class);
    private final AvroWireFormat<AutoencoderTrainingMetrics> autoencoderFormat =
            AvroWireFormat.of(AutoencoderTrainingMetrics.class);
    private final AvroWireFormat<SampleGrid> gridFormat = AvroWireFormat.sampleGrids();
    private final List<Consumer<FollowerStatus>> statusListeners = new CopyOnWriteArrayList<>();
    private volatile String state = "starting";
    private volatile long records;
    private volatile long skipped;
    private volatile boolean stopped;
    private List<TopicPartition> partitions;

    /**
     * Creates a follower; {@link #run()} does the reading.
     *
     * @param bootstrapServers the Kafka cluster
     * @param topic the metrics topic
     * @param start where to start when {@code startOffsets} does not say
     * @param startOffsets offsets to start at, per partition; partitions not named start at {@code
     *     start}
     * @param runIds the runs to keep; empty keeps every run
     * @param histories where the points go
     */
    public MetricsTopicFollower(
            String bootstrapServers,
            String topic,
            Start start,
            Map<TopicPartition, Long> startOffsets,
            Set<String> runIds,
            RunHistories histories) {
        this(bootstrapServers, topic, start, startOffsets, runIds, histories, null, null);
    }

    /**
     * Creates a follower of the metrics topic and of the images topic; {@link #run()} does the
     * reading.
     *
     * @param bootstrapServers the Kafka cluster
     * @param topic the metrics topic
     * @param start where to start when {@code startOffsets} does not say, on both topics
     * @param startOffsets offsets to start at, per partition of either topic; partitions not named
     *     start at {@code start}
     * @param runIds the runs to keep; empty keeps every run
     * @param histories where the points go
     * @param imagesTopic the images topic, or null to follow the metrics topic only
     * @param grids where the grids go; null exactly when {@code imagesTopic} is
     */
    public MetricsTopicFollower(
            String bootstrapServers,
            String topic,
            Start start,
            Map<TopicPartition, Long> startOffsets,
            Set<String> runIds,
            RunHistories histories,
            String imagesTopic,
            GridImages grids) {
        if ((imagesTopic == null) != (grids == null)) {
            throw new IllegalArgumentException(
                    "An images topic needs grids to fill, and grids a topic to fill them from");
        }
        this.imagesTopic = imagesTopic;
        this.grids = grids;
        this.topic = Objects.requireNonNull(topic, "topic");
        this.start = Objects.requireNonNull(start, "start");
        this.startOffsets = Map.copyOf(startOffsets);
        this.runIds = Set.copyOf(runIds);
        this.histories = Objects.requireNonNull(histories, "histories");
        this.consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers));
    }

    private static Properties consumerConfig(String bootstrapServers) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A topic that was deleted and made again starts at offset 0: read it from there.
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "latentflow-monitor");
        // Notice a broker that came back within a second or two, not after the default minute.
        config.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        return config;
    }

    /** Calls a listener whenever the status changes, on the follower's thread. */
    public void addStatusListener(Consumer<FollowerStatus> listener) {
        statusListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Returns the histories this follower adds to. */
    public RunHistories histories() {
        return histories;
    }

    /** Returns the current status. */
    public FollowerStatus status() {
        return new FollowerStatus(state, topic, records, skipped);
    }

    /** Starts following on a daemon thread of its own and returns the thread. */
    public Thread startInBackground() {
        Thread thread = new Thread(this, "metrics-topic-follower");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        long lastHealthCheck = 0;
        try {
            while (!stopped) {
                try {
                    if (partitions == null && !assignPartitions()) {
                        Thread.sleep(RETRY_PAUSE_MILLIS);
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                        accept(record);
                    }
                    // A poll returns nothing both when nothing was written and when the broker is
                    // gone; a request that needs an answer tells the two apart.
                    if (System.nanoTime() - lastHealthCheck > HEALTH_CHECK_NANOS) {
                        consumer.endOffsets(partitions, REQUEST_TIMEOUT);
                        lastHealthCheck = System.nanoTime();
                        changeState("connected");
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    if (!"disconnected".equals(state)) {
                        LOG.warn(
                                "Monitor lost the broker of topic {}, retrying: {}",
                                topic,
                                e.toString());
                    }
                    changeState("disconnected");
                    Thread.sleep(RETRY_PAUSE_MILLIS);
                }
            }
        } catch (WakeupException e) {
            // close() woke the consumer to stop following.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /**
     * Reads, on the calling thread, every record the topic holds now, then closes the consumer; for
     * a plot of what was written so far rather than a live view.
     *
     * @param timeout how long to try
     * @throws TimeoutException if the records were not all read in time
     */
    public void readToEnd(Duration timeout) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!assignPartitions()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(
                            "Topic " + topic + " was not found within " + timeout);
                }
                sleep(RETRY_PAUSE_MILLIS);
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            while (!reached(ends)) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(
                            "Not every record of " + topic + " was read within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                    accept(record);
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }

    /** Assigns every partition of the topic; false while the topic does not exist. */
    private boolean assignPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, REQUEST_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            changeState("waiting-for-topic");
            return false;
        }
        List<TopicPartition> found = new ArrayList<>();
        for (PartitionInfo info : infos) {
            found.add(new TopicPartition(info.topic(), info.partition()));
        }
        if (imagesTopic != null) {
            List<PartitionInfo> images = consumer.partitionsFor(imagesTopic, REQUEST_TIMEOUT);
            if (images == null || images.isEmpty()) {
                LOG.warn(
                        "Monitor found no images topic {}; it shows curves without grids",
                        imagesTopic);
            } else {
                for (PartitionInfo info : images) {
                    found.add(new TopicPartition(info.topic(), info.partition()));
                }
            }
        }
        consumer.assign(found);
        List<TopicPartition> unnamed = new ArrayList<>();
        for (TopicPartition partition : found) {
            Long offset = startOffsets.get(partition);
            if (offset != null) {
                consumer.seek(partition, offset);
            } else {
                unnamed.add(partition);
            }
        }
        if (start == Start.BEGINNING) {
            consumer.seekToBeginning(unnamed);
        } else {
            consumer.seekToEnd(unnamed);
            // Fix the end now, so that records written from here on are not skipped later.
            unnamed.forEach(consumer::position);
        }
        partitions = found;
        LOG.info(
                "Monitor follows topic {} and {} more partitions of images topic {} from the {}",
                topic,
                found.size() - infos.size(),
                imagesTopic,
                start == Start.BEGINNING ? "beginning" : "end");
        changeState("connected");
        return true;
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        if (record.topic().equals(imagesTopic)) {
            acceptGrid(record);
            return;
        }
        byte[] value = record.value();
        AvroWireFormat<?> format =
                AvroWireFormat.headerFingerprint(value).isEmpty() ? null : formatOf(value);
        if (format == null) {
            skipped++;
            LOG.debug(
                    "Monitor skipped a record of another type at {}-{}@{}",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return;
        }
        Object metrics;
        try {
            metrics = format.decode(value);
        } catch (Exception e) {
            skipped++;
            LOG.debug(
                    "Monitor skipped an unreadable record at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return;
        }
        records++;
        if (metrics instanceof TrainingMetrics adversarial) {
            if (follows(adversarial.getRunId())) {
                histories.add(adversarial);
            }
        } else if (metrics instanceof SequenceTrainingMetrics sequence) {
            if (follows(sequence.getRunId())) {
                histories.add(sequence);
            }
        } else if (metrics instanceof AutoencoderTrainingMetrics autoencoder
                && follows(autoencoder.getRunId())) {
            histories.add(autoencoder);
        }
    }

    /**
     * The metrics format whose schema, current or earlier (whose records still decode), the value's
     * header names; null for another record type.
     */
    private AvroWireFormat<?> formatOf(byte[] value) {
        for (AvroWireFormat<?> format : List.of(metricsFormat, sequenceFormat, autoencoderFormat)) {
            if (!format.isOtherRecordType(value)) {
                return format;
            }
        }
        return null;
    }

    private boolean follows(CharSequence runId) {
        return runIds.isEmpty() || runIds.contains(runId.toString());
    }

    private void acceptGrid(ConsumerRecord<byte[], byte[]> record) {
        SampleGrid grid;
        try {
            if (gridFormat.isOtherRecordType(record.value())) {
                throw new IOException("a record of another type");
            }
            grid = gridFormat.decode(record.value());
        } catch (IOException e) {
            skipped++;
            LOG.debug(
                    "Monitor skipped a record that is not a grid at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return;
        }
        if (runIds.isEmpty() || runIds.contains(grid.getRunId())) {
            LOG.debug(
                    "Monitor read the {} grid of run {} at step {} from {}-{}@{}",
                    grid.getKind(),
                    grid.getRunId(),
                    grid.getStep(),
                    record.topic(),
                    record.partition(),
                    record.offset());
            grids.add(grid);
        }
    }

    private void changeState(String newState) {
        if (newState.equals(state)) {
            return;
        }
        state = newState;
        if (!"disconnected".equals(newState)) {
            LOG.info("Monitor of topic {}: {}", topic, newState);
        }
        FollowerStatus status = status();
        for (Consumer<FollowerStatus> listener : statusListeners) {
            listener.accept(status);
        }
    }

    @Override
    public void close() {
        stopped = true;
        consumer.wakeup();
    }
}
