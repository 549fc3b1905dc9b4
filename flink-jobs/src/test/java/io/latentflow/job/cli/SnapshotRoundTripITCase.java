package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.model.Ali;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.SnapshotChunker;
import io.latentflow.schema.GridKind;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.ModelSnapshotChunk;
import io.latentflow.schema.SampleGrid;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;

/**
 * Model snapshots from the job to the topic and back: a run trains with snapshots every 10 steps
 * onto a snapshot topic with Kafka's default 1 MB message limit, and {@code generate} and {@code
 * encode} load them from the topic and draw what the trainer drew.
 */
class SnapshotRoundTripITCase {
    private static final String PREFIX = "roundtrip";
    private static final TopicNames TOPICS = TopicNames.withPrefix(PREFIX);

    @TempDir static Path temporary;
    private static EmbeddedKafkaBroker broker;
    private static Path runDir;

    @BeforeAll
    static void trainWithSnapshots() throws Exception {
        broker = EmbeddedKafkaBroker.start(temporary.resolve("kafka"));
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin client = Admin.create(admin)) {
            // No raised message limit: a snapshot travels only if it is cut into pieces.
            client.createTopics(List.of(new NewTopic(TOPICS.snapshots(), 1, (short) 1)))
                    .all()
                    .get();
        }
        runDir = temporary.resolve("run");
        run(
                "train",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--topic-prefix",
                PREFIX,
                "--steps",
                "30",
                "--batch-size",
                "20",
                "--hidden-units",
                "256",
                "--latent-dim",
                "16",
                "--snapshot-interval",
                "10",
                "--image-interval",
                "10",
                "--seed",
                "9",
                "--run-id",
                "round-trip",
                "--run-dir",
                runDir.toString());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void snapshotsTravelInPiecesBelowTheDefaultMessageLimitWithVersionsCountingUp() {
        List<ModelSnapshotChunk> chunks =
                readAll(TOPICS.snapshots(), AvroWireFormat.modelSnapshotChunks()::decode);
        assertEquals(
                List.of(1L, 2L, 3L),
                chunks.stream().map(ModelSnapshotChunk::getVersion).distinct().toList());
        int pieces = chunks.get(0).getChunks();
        assertTrue(pieces > 1, "a snapshot of " + chunks.get(0).getSnapshotBytes() + " bytes");
        assertEquals(3 * pieces, chunks.size());
        for (ModelSnapshotChunk chunk : chunks) {
            assertTrue(chunk.getBytes().remaining() <= SnapshotChunker.CHUNK_BYTES);
        }
    }

    @Test
    void generateDrawsFromTheLoadedSnapshotExactlyTheGridsTheTrainerPublished() throws Exception {
        Path latest = temporary.resolve("latest.png");
        Path tenth = temporary.resolve("tenth.png");

        String latestOutput = generate("--output", latest.toString());
        String tenthOutput = generate("--step", "10", "--output", tenth.toString());

        assertTrue(latestOutput.contains("snapshot version 3 at step 30"), latestOutput);
        assertTrue(tenthOutput.contains("snapshot version 1 at step 10"), tenthOutput);
        assertArrayEquals(publishedSamples(30), Files.readAllBytes(latest));
        assertArrayEquals(publishedSamples(10), Files.readAllBytes(tenth));
    }

    @Test
    void generateFromTheRunFoldersSnapshotsDrawsWhatTheTopicsSnapshotsDraw() throws Exception {
        Path fromFolder = temporary.resolve("folder-latest.png");
        Path fromFile = temporary.resolve("file-10.png");

        String folderOutput =
                run("generate", "--snapshot", runDir.toString(), "--output", fromFolder.toString());
        run(
                "generate",
                "--snapshot",
                SnapshotFiles.fileOf(runDir.resolve("snapshots"), 10).toString(),
                "--output",
                fromFile.toString());

        assertTrue(folderOutput.contains("snapshot version 3 at step 30"), folderOutput);
        assertArrayEquals(publishedSamples(30), Files.readAllBytes(fromFolder));
        assertArrayEquals(publishedSamples(10), Files.readAllBytes(fromFile));
    }

    @Test
    void encodeGivesTheCodesAndReconstructionsOfTheFinalModel() throws Exception {
        Path codes = temporary.resolve("codes.csv");
        Path reconstructions = temporary.resolve("reconstructions.png");

        run(
                "encode",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--topic-prefix",
                PREFIX,
                "--run-id",
                "round-trip",
                "--count",
                "50",
                "--output",
                codes.toString(),
                "--reconstructions",
                reconstructions.toString());

        // train drew its reconstructions.png of the same 50 test images from the final snapshot.
        assertArrayEquals(
                Files.readAllBytes(runDir.resolve("reconstructions.png")),
                Files.readAllBytes(reconstructions));
        ModelSnapshot last =
                SnapshotFiles.read(SnapshotFiles.fileOf(runDir.resolve("snapshots"), 30), 30);
        Ali model = (Ali) SnapshotSelection.modelOf(last);
        INDArray expected =
                model.encodeMean(
                        EncodeCommand.firstImages(
                                IdxReader.readImages(
                                        FashionMnist.testImages(FashionMnist.DEFAULT_DIRECTORY)),
                                50));
        List<String> rows = Files.readAllLines(codes);
        assertEquals(1 + 50, rows.size());
        assertEquals(1 + 16, rows.get(0).split(",").length);
        for (int i = 0; i < 50; i++) {
            String[] fields = rows.get(1 + i).split(",");
            for (int j = 0; j < 16; j++) {
                assertEquals(
                        expected.getFloat(i, j),
                        Float.parseFloat(fields[1 + j]),
                        0f,
                        "code " + j + " of image " + i);
            }
        }
    }

    private static String generate(String... options) {
        List<String> arguments =
                new ArrayList<>(
                        List.of(
                                "generate",
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--topic-prefix",
                                PREFIX,
                                "--run-id",
                                "round-trip"));
        arguments.addAll(List.of(options));
        return run(arguments.toArray(String[]::new));
    }

    /** The PNG of the samples grid the trainer published after {@code step}. */
    private static byte[] publishedSamples(long step) {
        List<SampleGrid> grids = readAll(TOPICS.images(), AvroWireFormat.sampleGrids()::decode);
        SampleGrid grid =
                grids.stream()
                        .filter(g -> g.getKind() == GridKind.SAMPLES && g.getStep() == step)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no samples grid of step " + step));
        ByteBuffer png = grid.getPng().duplicate();
        byte[] bytes = new byte[png.remaining()];
        png.get(bytes);
        return bytes;
    }

    private static String run(String... arguments) {
        StringWriter output = new StringWriter();
        CommandLine command = LatentFlowCommand.commandLine();
        command.setOut(new PrintWriter(output));
        command.setErr(new PrintWriter(output));
        assertEquals(0, command.execute(arguments), output.toString());
        return output.toString();
    }

    interface Decoder<T> {
        T decode(byte[] bytes) throws IOException;
    }

    private static <T> List<T> readAll(String topic, Decoder<T> decoder) {
        Function<byte[], T> decode =
                bytes -> {
                    try {
                        return decoder.decode(bytes);
                    } catch (IOException e) {
                        throw new AssertionError("Undecodable record on " + topic, e);
                    }
                };
        TopicPartition partition = new TopicPartition(topic, 0);
        Map<TopicPartition, Long> end =
                io.latentflow.job.kafka.TopicAdministration.endOffsets(
                        broker.bootstrapServers(), topic);
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition) < end.get(partition)
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    records.add(decode.apply(record.value()));
                }
            }
        }
        return records;
    }
}
