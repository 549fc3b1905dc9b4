package io.latentflow.job.cli;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.TrainingMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one run's records from the monitoring topic, from given offsets on, while the job runs:
 * what the progress display and the loss plot are drawn from.
 *
 * @param <T> the metrics record type followed; records of other types are passed over
 */
final class MetricsFollower<T extends SpecificRecord> implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsFollower.class);

    private final AvroWireFormat<T> wireFormat;
    private final Function<T, CharSequence> runIdOf;
    private final ToLongFunction<T> stepOf;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String runId;
    private final Consumer<T> listener;
    private final List<T> received = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    /** Follows the adversarial runs' TrainingMetrics of one run. */
    static MetricsFollower<TrainingMetrics> trainingMetrics(
            String bootstrapServers,
            Map<TopicPartition, Long> from,
            String runId,
            Consumer<TrainingMetrics> listener) {
        return new MetricsFollower<>(
                AvroWireFormat.trainingMetrics(),
                TrainingMetrics::getRunId,
                TrainingMetrics::getStep,
                bootstrapServers,
                from,
                runId,
                listener);
    }

    /**
     * Follows the records of one type and one run.
     *
     * @param wireFormat the record type's wire format
     * @param runIdOf a record's run id
     * @param stepOf a record's step, for {@link #awaitStep}
     * @param bootstrapServers the cluster
     * @param from the monitoring topic's offsets to start at
     * @param runId the run followed
     * @param listener called with every record of the run, on the follower's thread
     */
    MetricsFollower(
            AvroWireFormat<T> wireFormat,
            Function<T, CharSequence> runIdOf,
            ToLongFunction<T> stepOf,
            String bootstrapServers,
            Map<TopicPartition, Long> from,
            String runId,
            Consumer<T> listener) {
        this.wireFormat = wireFormat;
        this.runIdOf = runIdOf;
        this.stepOf = stepOf;
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(config);
        this.consumer.assign(from.keySet());
        from.forEach(consumer::seek);
        this.runId = runId;
        this.listener = listener;
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    accept(record);
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // close() woke the consumer to stop following.
        } finally {
            consumer.close();
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        if (wireFormat.isOtherRecordType(record.value())) {
            // The monitoring topic carries other record types too, such as diagnose's probes.
            LOG.debug(
                    "Passed over a record of another schema at {}-{}@{}",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return;
        }
        T metrics;
        try {
            metrics = wireFormat.decode(record.value());
        } catch (Exception e) {
            LOG.warn(
                    "Skipped an unreadable monitoring record at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return;
        }
        if (runId.contentEquals(runIdOf.apply(metrics))) {
            received.add(metrics);
            listener.accept(metrics);
        }
    }

    /** The records of the run received so far, in the order they were written. */
    List<T> received() {
        return new ArrayList<>(received);
    }

    /** Waits up to {@code timeout} for the record of {@code step}; true if it came. */
    boolean awaitStep(long step, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!received.isEmpty()
                    && stepOf.applyAsLong(received.get(received.size() - 1)) >= step) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Override
    public void close() {
        stopped = true;
        consumer.wakeup();
    }
}
