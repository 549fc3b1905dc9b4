package io.latentflow.job.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.produce.DataSampleProducer;
import io.latentflow.job.produce.EpochOrder;
import io.latentflow.job.produce.LatentSampleProducer;
import io.latentflow.job.produce.ProducedRange;
import io.latentflow.job.produce.SyntheticImages;
import io.latentflow.schema.DataSample;
import io.latentflow.schema.LatentSample;
import io.latentflow.schema.ModelSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the producers and the topic administration against one embedded broker. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedKafkaBrokerITCase {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBrokerITCase.class);

    private static final TopicNames TOPICS = TopicNames.withPrefix("itcase");
    private static final int RECORDS = 1_000;
    private static final int LATENT_DIMENSION = 64;
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(60);

    @TempDir static Path temporaryDirectory;

    private static Path dataDirectory;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBrokerAndCreateTopics() throws IOException {
        dataDirectory = temporaryDirectory.resolve("broker");
        long startNanos = System.nanoTime();
        broker = EmbeddedKafkaBroker.start(dataDirectory);
        LOG.info(
                "Broker started in {} ms at {}",
                (System.nanoTime() - startNanos) / 1_000_000,
                broker.bootstrapServers());

        TopicAdministration.ensureTopics(broker.bootstrapServers(), TOPICS);
    }

    @AfterAll
    static void closeBroker() throws IOException {
        broker.close();
    }

    @Test
    @Order(1)
    void ensuringTopicsCreatesAllFiveAndTheSnapshotTopicTakes64MiB() throws Exception {
        // A second call finds them all and changes nothing.
        TopicAdministration.ensureTopics(broker.bootstrapServers(), TOPICS);

        try (Admin admin = Admin.create(adminProperties())) {
            Set<String> topics = admin.listTopics().names().get();
            assertTrue(topics.containsAll(TOPICS.all()), topics.toString());

            ConfigResource snapshots =
                    new ConfigResource(ConfigResource.Type.TOPIC, TOPICS.snapshots());
            Config config = admin.describeConfigs(List.of(snapshots)).all().get().get(snapshots);
            assertEquals(
                    Integer.toString(TopicAdministration.SNAPSHOT_MAX_MESSAGE_BYTES),
                    config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
        }
    }

    @Test
    @Order(2)
    void dataSamplesComeBackInSequenceWithTheirValues() throws IOException {
        SyntheticImages images = new SyntheticImages(100, 28, 28);
        ProducedRange range;
        try (DataSampleProducer producer =
                new DataSampleProducer(broker.bootstrapServers(), TOPICS.data())) {
            range = producer.produce("run-it", images, 42, RECORDS);
        }

        assertEquals(new ProducedRange(TOPICS.data(), 0, 0, RECORDS - 1, 0, RECORDS - 1), range);
        assertEquals(
                Map.of(new TopicPartition(TOPICS.data(), 0), (long) RECORDS),
                TopicAdministration.endOffsets(broker.bootstrapServers(), TOPICS.data()));

        List<ConsumerRecord<byte[], byte[]>> records = consume(TOPICS.data(), RECORDS);
        EpochOrder order = new EpochOrder(42, images.count());
        AvroWireFormat<DataSample> format = AvroWireFormat.dataSamples();
        for (int sequence = 0; sequence < RECORDS; sequence++) {
            ConsumerRecord<byte[], byte[]> record = records.get(sequence);
            DataSample sample = format.decode(record.value());
            DataSample expected =
                    DataSampleProducer.sample("run-it", sequence, order.indexAt(sequence), images);
            assertEquals(sequence, record.offset());
            assertEquals("run-it", new String(record.key(), StandardCharsets.UTF_8));
            assertEquals(sequence, sample.getSequence());
            assertEquals(expected, sample);
        }
    }

    @Test
    @Order(3)
    void latentSamplesComeBackInSequenceWithTheirDraws() throws IOException {
        ProducedRange range;
        try (LatentSampleProducer producer =
                new LatentSampleProducer(broker.bootstrapServers(), TOPICS.latent())) {
            range = producer.produce("run-it", 7, LATENT_DIMENSION, RECORDS);
        }

        assertEquals(RECORDS - 1, range.lastOffset());
        List<ConsumerRecord<byte[], byte[]>> records = consume(TOPICS.latent(), RECORDS);
        AvroWireFormat<LatentSample> format = AvroWireFormat.latentSamples();
        for (int sequence = 0; sequence < RECORDS; sequence++) {
            LatentSample sample = format.decode(records.get(sequence).value());
            assertEquals(sequence, sample.getSequence());
            assertEquals(
                    LatentSampleProducer.draw("run-it", 7, sequence, LATENT_DIMENSION), sample);
        }
    }

    @Test
    @Order(4)
    void theSnapshotTopicAcceptsA25MegabyteSnapshotWhichOtherTopicsRefuse() throws Exception {
        byte[] parameters = new byte[25_000_000];
        new Random(3).nextBytes(parameters);
        ModelSnapshot snapshot =
                ModelSnapshot.newBuilder()
                        .setRunId("run-it")
                        .setModel("ali-mlp")
                        .setSeed(7)
                        .setStep(1_000)
                        .setConfiguration(Map.of("latentDimension", "64"))
                        .setParameterHash("00".repeat(32))
                        .setNetworks(Map.of("generator", ByteBuffer.wrap(parameters)))
                        .build();
        byte[] value = AvroWireFormat.modelSnapshots().encode(snapshot);

        try (KafkaProducer<byte[], byte[]> producer = largeRecordProducer()) {
            producer.send(new ProducerRecord<>(TOPICS.snapshots(), value)).get();

            ExecutionException refusal =
                    assertThrows(
                            ExecutionException.class,
                            () ->
                                    producer.send(new ProducerRecord<>(TOPICS.metrics(), value))
                                            .get());
            assertInstanceOf(RecordTooLargeException.class, refusal.getCause());
        }

        List<ConsumerRecord<byte[], byte[]>> records = consume(TOPICS.snapshots(), 1);
        ModelSnapshot read = AvroWireFormat.modelSnapshots().decode(records.get(0).value());
        ByteBuffer generator = read.getNetworks().get("generator");
        byte[] readParameters = new byte[generator.remaining()];
        generator.get(readParameters);
        assertArrayEquals(parameters, readParameters);
    }

    @Test
    @Order(5)
    void startingInADirectoryThatHoldsFilesIsRefused() throws IOException {
        Path occupied = temporaryDirectory.resolve("occupied");
        Files.createDirectories(occupied);
        Files.writeString(occupied.resolve("notes.txt"), "not the broker's");

        assertThrows(IOException.class, () -> EmbeddedKafkaBroker.start(occupied));
        assertTrue(Files.exists(occupied.resolve("notes.txt")));
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void closingTheBrokerDeletesItsDataDirectory() throws IOException {
        assertTrue(Files.isDirectory(dataDirectory));

        broker.close();

        assertFalse(Files.exists(dataDirectory));
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int count) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        assertEquals(count, records.size(), "records read back from " + topic);
        return records;
    }

    private static KafkaProducer<byte[], byte[]> largeRecordProducer() {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        properties.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Integer.toString(TopicAdministration.SNAPSHOT_MAX_MESSAGE_BYTES));
        properties.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(128 * 1024 * 1024));
        return new KafkaProducer<>(
                properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static Properties adminProperties() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return properties;
    }
}
