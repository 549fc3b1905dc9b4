package io.latentflow.job.cli;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.DiscriminatorProbe;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a probe's measurements to the monitoring topic, keyed by the probe's run id, without
 * waiting for each; {@link #close()} waits for all and reports the first that failed.
 */
final class ProbeRecordWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeRecordWriter.class);

    private final AvroWireFormat<DiscriminatorProbe> wireFormat =
            AvroWireFormat.discriminatorProbes();
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private volatile Exception failure;

    ProbeRecordWriter(String bootstrapServers, String topic) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /** Hands one measurement to the producer. */
    void send(DiscriminatorProbe probe) {
        byte[] key = probe.getProbeRunId().getBytes(StandardCharsets.UTF_8);
        producer.send(
                new ProducerRecord<>(topic, key, wireFormat.encode(probe)),
                (metadata, exception) -> {
                    if (exception != null && failure == null) {
                        failure = exception;
                        LOG.error(
                                "Probe {}: writing iteration {} to topic {} failed",
                                probe.getProbeRunId(),
                                probe.getIteration(),
                                topic,
                                exception);
                    }
                });
    }

    /**
     * Sends whatever is still buffered and closes the producer.
     *
     * @throws KafkaException if any measurement could not be written
     */
    @Override
    public void close() {
        producer.close();
        if (failure != null) {
            throw new KafkaException(
                    "Writing the probe's records to topic " + topic + " failed", failure);
        }
    }
}
