package io.latentflow.docker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Starts the cluster of {@code docker/compose.yaml} (Kafka, a Flink JobManager and TaskManager, the
 * one-shot producer and the one-shot job submission) with a small run, and reads what the training
 * job writes to the metrics topic through the broker's host listener.
 *
 * <p>The class is disabled where no Docker engine runs. The test is skipped where the job jar
 * {@code flink-jobs/target/latentflow.jar} has not been built or the Fashion-MNIST files are
 * missing. It needs the {@code docker compose} plugin and an engine on this machine, because the
 * broker advertises its host listener as {@code localhost}.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeClusterITCase {

    private static final Logger LOG = LoggerFactory.getLogger(ComposeClusterITCase.class);

    private static final String METRICS_TOPIC = "latentflow.metrics";
    private static final String DEFAULT_DATASET_DIR = "/usr/share/datasets/fashion-mnist";
    private static final int STEPS = 20;
    private static final int BATCH_SIZE = 20;

    /** Image pulls happen before this clock starts; it covers the brokers and JVMs starting. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(5);

    /** Covers submission, the job's start, the training steps and a checkpoint's commit. */
    private static final Duration METRICS_TIMEOUT = Duration.ofMinutes(10);

    /** The marker that opens every record in Avro's single-object encoding. */
    private static final byte[] AVRO_SINGLE_OBJECT_MARKER = {(byte) 0xC3, (byte) 0x01};

    @Test
    void submittedJobWritesAvroMetricsRecordsOfItsRunToTheMetricsTopic() throws IOException {
        Path composeFile = pathFromSystemProperty("latentflow.compose.file");
        Path jobJar = pathFromSystemProperty("latentflow.job.jar");
        Path datasetDir =
                Path.of(
                        System.getenv()
                                .getOrDefault("LATENTFLOW_DATASET_DIR", DEFAULT_DATASET_DIR));
        assumeTrue(
                Files.isRegularFile(jobJar),
                () ->
                        "The job jar "
                                + jobJar
                                + " is missing: build it with mvn -B -DskipTests package from"
                                + " the repository root, then run this test again.");
        assumeTrue(
                Files.isDirectory(datasetDir),
                () ->
                        "The Fashion-MNIST folder "
                                + datasetDir
                                + " is missing: install the Debian package dataset-fashion-mnist"
                                + " or set LATENTFLOW_DATASET_DIR.");

        String runId = "itcase-" + UUID.randomUUID().toString().substring(0, 8);
        int kafkaHostPort = freeLocalPort();
        Map<String, String> environment =
                Map.of(
                        "LATENTFLOW_JAR", jobJar.toString(),
                        "LATENTFLOW_DATASET_DIR", datasetDir.toString(),
                        "LATENTFLOW_KAFKA_HOST_PORT", Integer.toString(kafkaHostPort),
                        "LATENTFLOW_FLINK_UI_PORT", Integer.toString(freeLocalPort()),
                        "LATENTFLOW_RUN_ID", runId,
                        "LATENTFLOW_STEPS", Integer.toString(STEPS),
                        "LATENTFLOW_BATCH_SIZE", Integer.toString(BATCH_SIZE));

        try (ComposeContainer cluster = composeCluster(composeFile, environment)) {
            LOG.info("Starting the compose cluster for run {} from {}", runId, composeFile);
            cluster.start();

            Optional<byte[]> metrics =
                    firstAvroRecord("localhost:" + kafkaHostPort, METRICS_TOPIC, runId);

            assertTrue(
                    metrics.isPresent(),
                    "No Avro single-object record arrived on "
                            + METRICS_TOPIC
                            + " within "
                            + METRICS_TIMEOUT);
            // Avro writes a string field as its length and its UTF-8 bytes, so the run id of
            // this test appears verbatim in a TrainingMetrics record of this run.
            assertTrue(
                    indexOf(metrics.get(), runId.getBytes(UTF_8)) >= 0,
                    () ->
                            "The metrics record does not name run "
                                    + runId
                                    + ": "
                                    + HexFormat.of().formatHex(metrics.get()));
        }
    }

    private static ComposeContainer composeCluster(
            Path composeFile, Map<String, String> environment) {
        ComposeContainer cluster =
                new ComposeContainer(composeFile.toFile())
                        .withEnv(environment)
                        .withStartupTimeout(STARTUP_TIMEOUT)
                        .waitingFor(
                                "kafka", Wait.forHealthcheck().withStartupTimeout(STARTUP_TIMEOUT))
                        .waitingFor(
                                "jobmanager",
                                Wait.forHealthcheck().withStartupTimeout(STARTUP_TIMEOUT));
        for (String service : List.of("producer", "submit", "jobmanager", "taskmanager")) {
            cluster.withLogConsumer(service, new Slf4jLogConsumer(LOG).withPrefix(service));
        }
        return cluster;
    }

    /**
     * Polls the topic from its beginning until a record opens with the Avro single-object marker,
     * and returns its value; empty when none arrived within {@link #METRICS_TIMEOUT}. Only
     * committed records are read, so a record seen here survived the job's checkpoint.
     */
    private static Optional<byte[]> firstAvroRecord(
            String bootstrapServers, String topic, String runId) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "latentflow-compose-itcase-" + runId);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // The producer creates the topics; a topic made here would get the broker defaults.
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        properties.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
        properties.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        properties.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());

        Instant deadline = Instant.now().plus(METRICS_TIMEOUT);
        int otherRecords = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            consumer.subscribe(List.of(topic));
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(2))) {
                    if (startsWith(record.value(), AVRO_SINGLE_OBJECT_MARKER)) {
                        LOG.info(
                                "Read an Avro record of {} bytes from {}-{} at offset {}",
                                record.value().length,
                                record.topic(),
                                record.partition(),
                                record.offset());
                        return Optional.of(record.value());
                    }
                    otherRecords++;
                }
            }
        }
        LOG.warn("Read {} records without the Avro marker from {}", otherRecords, topic);
        return Optional.empty();
    }

    private static boolean startsWith(byte[] value, byte[] prefix) {
        if (value == null || value.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (value[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int start = 0; start + needle.length <= haystack.length; start++) {
            int matched = 0;
            while (matched < needle.length && haystack[start + matched] == needle[matched]) {
                matched++;
            }
            if (matched == needle.length) {
                return start;
            }
        }
        return -1;
    }

    /** Asks the operating system for a free port; compose binds it moments later. */
    private static int freeLocalPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Path pathFromSystemProperty(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException(
                    "System property " + name + " is not set; docker/pom.xml sets it for Surefire");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }
}
