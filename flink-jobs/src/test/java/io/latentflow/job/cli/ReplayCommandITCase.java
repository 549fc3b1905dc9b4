package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code latentflow replay} on a run that {@code latentflow train} recorded on a broker that
 * outlives it: from the manifest alone, from the beginning, from an offset and from a time.
 */
class ReplayCommandITCase {
    private static final int STEPS = 30;
    private static final int BATCH = 20;

    @TempDir static Path temporary;
    private static EmbeddedKafkaBroker broker;
    private static Path recorded;

    @BeforeAll
    static void recordARun() throws Exception {
        broker = EmbeddedKafkaBroker.start(temporary.resolve("kafka"));
        recorded = temporary.resolve("recorded");
        run(
                0,
                "train",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--steps",
                Integer.toString(STEPS),
                "--batch-size",
                Integer.toString(BATCH),
                "--hidden-units",
                "64",
                "--latent-dim",
                "8",
                "--metrics-interval",
                "5",
                "--seed",
                "3",
                "--run-id",
                "recorded",
                "--run-dir",
                recorded.toString());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void theRecordedConfigurationReplaysBitIdenticallyAndAnotherLearningRateDoesNot()
            throws Exception {
        String output = replay("same", "--manifest", manifestOf(recorded));

        assertTrue(output.contains("bit-identical to run recorded"), output);
        JsonNode same = manifest("same");
        assertEquals("recorded", same.get("replayOf").asText());
        assertEquals(STEPS, same.get("steps").asLong());
        assertEquals(recordedManifest().get("parameterHash"), same.get("parameterHash"));
        assertEquals(recordedManifest().get("metricsHash"), same.get("metricsHash"));
        assertTrue(same.get("comparedWithRecording").get("parametersIdentical").asBoolean());
        assertTrue(same.get("comparedWithRecording").get("metricsIdentical").asBoolean());

        replay("faster", "--manifest", manifestOf(recorded), "--learning-rate", "1e-3");

        JsonNode faster = manifest("faster");
        assertEquals("0.001", faster.get("configuration").get("learningRate").asText());
        assertFalse(faster.get("comparedWithRecording").get("sameConfiguration").asBoolean());
        assertFalse(faster.get("comparedWithRecording").get("parametersIdentical").asBoolean());
    }

    @Test
    void aReplayFromAnOffsetTrainsOnTheRecordsFromThereAndItselfReplaysBitIdentically()
            throws Exception {
        long offset = 10 * BATCH;
        replay("tail", "--manifest", manifestOf(recorded), "--from-offset", Long.toString(offset));

        JsonNode tail = manifest("tail");
        assertEquals(STEPS - 10, tail.get("steps").asLong());
        assertEquals(offset, tail.get("trainer").get("firstSequence").asLong());
        assertFalse(tail.get("comparedWithRecording").get("parametersIdentical").asBoolean());
        List<Long> offsets = dataOffsets("tail");
        assertEquals(offset + BATCH - 1, offsets.get(0), "data offset of the first step");
        assertEquals((long) STEPS * BATCH - 1, offsets.get(offsets.size() - 1));

        String again = replay("tail-again", "--manifest", manifestOf(temporary.resolve("tail")));

        assertTrue(again.contains("bit-identical to run tail"), again);
        assertEquals(tail.get("parameterHash"), manifest("tail-again").get("parameterHash"));
    }

    @Test
    void aReplayFromATimestampStartsAtTheFirstRecordWrittenThenAsAReplayFromThatOffset()
            throws Exception {
        List<Long> timestamps = dataTimestamps();
        long time = timestamps.get(timestamps.size() / 2);
        long expectedOffset = 0;
        while (timestamps.get((int) expectedOffset) < time) {
            expectedOffset++;
        }
        assertTrue(expectedOffset > 0, "every record was written in the same millisecond");

        replay("from-time", "--manifest", manifestOf(recorded), "--from-timestamp", "" + time);
        replay(
                "from-offset",
                "--manifest",
                manifestOf(recorded),
                "--from-offset",
                Long.toString(expectedOffset));

        JsonNode byTime = manifest("from-time");
        JsonNode byOffset = manifest("from-offset");
        assertEquals(expectedOffset, byTime.get("trainer").get("firstSequence").asLong());
        assertEquals(
                expectedOffset,
                byTime.get("topics")
                        .get("latentflow.data")
                        .get("partition 0")
                        .get("from")
                        .asLong());
        assertEquals(byOffset.get("parameterHash"), byTime.get("parameterHash"));
        assertEquals(byOffset.get("metricsHash"), byTime.get("metricsHash"));
    }

    @Test
    void aSaddleFreeGanRunReplaysBitIdenticallyWithItsHessianFreeSettings() throws Exception {
        Path sfhf = temporary.resolve("recorded-sfhf");
        run(
                0,
                "train",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--topic-prefix",
                "sfhf",
                "--model",
                "gan",
                "--optimizer",
                "sfhf",
                "--steps",
                "3",
                "--batch-size",
                Integer.toString(BATCH),
                "--curvature-batch",
                "10",
                "--max-inner-iterations",
                "5",
                "--damping",
                "2",
                "--instance-noise",
                "0.1",
                "--hidden-units",
                "32",
                "--latent-dim",
                "8",
                "--seed",
                "4",
                "--run-id",
                "recorded-sfhf",
                "--run-dir",
                sfhf.toString());

        String output = replay("sfhf-again", "--manifest", manifestOf(sfhf));

        assertTrue(output.contains("bit-identical to run recorded-sfhf"), output);
        JsonNode again = manifest("sfhf-again");
        JsonNode configuration = again.get("configuration");
        assertEquals("SADDLE_FREE", configuration.get("hessianFreeMethod").asText());
        assertEquals("10", configuration.get("curvatureRows").asText());
        assertEquals("5", configuration.get("maxInnerIterations").asText());
        assertEquals("2.0", configuration.get("damping").asText());
        JsonNode original = new ObjectMapper().readTree(sfhf.resolve("manifest.json").toFile());
        assertEquals(original.get("parameterHash"), again.get("parameterHash"));
        assertEquals(original.get("metricsHash"), again.get("metricsHash"));
        assertTrue(again.get("comparedWithRecording").get("sameConfiguration").asBoolean());
    }

    private static String replay(String runId, String... arguments) throws Exception {
        List<String> all = new ArrayList<>(List.of("replay"));
        all.addAll(List.of(arguments));
        all.addAll(
                List.of(
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--run-id",
                        runId,
                        "--run-dir",
                        temporary.resolve(runId).toString()));
        return run(0, all.toArray(String[]::new));
    }

    private static String run(int expectedExit, String... arguments) {
        StringWriter output = new StringWriter();
        CommandLine command = LatentFlowCommand.commandLine();
        command.setOut(new PrintWriter(output));
        command.setErr(new PrintWriter(output));
        int exit = command.execute(arguments);
        assertEquals(expectedExit, exit, output.toString());
        return output.toString();
    }

    private static String manifestOf(Path folder) {
        return folder.resolve("manifest.json").toString();
    }

    private static JsonNode recordedManifest() throws IOException {
        return new ObjectMapper().readTree(recorded.resolve("manifest.json").toFile());
    }

    private static JsonNode manifest(String runId) throws IOException {
        return new ObjectMapper()
                .readTree(temporary.resolve(runId).resolve("manifest.json").toFile());
    }

    private static List<Long> dataOffsets(String runId) throws IOException {
        List<String> csv = Files.readAllLines(temporary.resolve(runId).resolve("metrics.csv"));
        int column = List.of(csv.get(0).split(",")).indexOf("data_offset");
        return csv.stream().skip(1).map(line -> Long.parseLong(line.split(",")[column])).toList();
    }

    /** The timestamps of the recorded run's data records, by offset. */
    private static List<Long> dataTimestamps() {
        TopicPartition partition = new TopicPartition(TopicNames.defaults().data(), 0);
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<Long> timestamps = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, 0);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (timestamps.size() < STEPS * BATCH && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < STEPS * BATCH) {
                        timestamps.add(record.timestamp());
                    }
                }
            }
        }
        assertEquals(STEPS * BATCH, timestamps.size(), "data records of the recorded run");
        return timestamps;
    }
}
