package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.schema.TrainingMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
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
 * {@code train --continuous} across two sessions: it trains what arrives while it runs, stops with
 * a savepoint, and the next session resumes where the first stopped, ending exactly where one
 * bounded run over the same records ends.
 */
class ContinuousTrainingITCase {
    private static final String[] MODEL = {
        "--batch-size", "20", "--hidden-units", "64", "--latent-dim", "8", "--seed", "4"
    };

    @TempDir static Path temporary;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start(temporary.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void twoSessionsWithAppendedRecordsEndWhereOneBoundedRunEnds() throws Exception {
        Path folder = temporary.resolve("continuous");
        Session first = Session.start(session(folder, 20));
        awaitStep("continuous", 10);
        run(
                "produce",
                "--topic-prefix",
                "continuous",
                "--run-id",
                "c",
                "--steps",
                "10",
                "--first-step",
                "10");
        first.awaitExit();

        run(
                "produce",
                "--topic-prefix",
                "continuous",
                "--run-id",
                "c",
                "--steps",
                "10",
                "--first-step",
                "20");
        String second = Session.start(session(folder, 30)).awaitExit();

        assertTrue(second.contains("Run c: resuming from "), second);
        Path bounded = temporary.resolve("bounded");
        run(
                "train",
                "--topic-prefix",
                "bounded",
                "--steps",
                "30",
                "--metrics-interval",
                "1",
                "--run-id",
                "c",
                "--run-dir",
                bounded.toString());
        String boundedHash =
                new ObjectMapper()
                        .readTree(bounded.resolve("manifest.json").toFile())
                        .get("parameterHash")
                        .asText();
        assertEquals(boundedHash, parameterHash(second));

        List<TrainingMetrics> metrics = committedMetrics("continuous");
        assertEquals(
                LongStream.rangeClosed(1, 30).boxed().toList(),
                metrics.stream().map(TrainingMetrics::getStep).toList(),
                "committed metrics of both sessions, one per step");
        for (TrainingMetrics m : metrics) {
            assertEquals(m.getStep() * 20 - 1, m.getDataOffset(), "data offset of " + m.getStep());
            assertEquals(0, m.getDuplicates(), "records seen twice by step " + m.getStep());
        }
    }

    private static String[] session(Path folder, long stopAtStep) {
        return arguments(
                "train",
                "--continuous",
                "--topic-prefix",
                "continuous",
                "--steps",
                "10",
                "--stop-at-step",
                Long.toString(stopAtStep),
                "--metrics-interval",
                "1",
                "--checkpoint-interval-ms",
                "500",
                "--run-id",
                "c",
                "--run-dir",
                folder.toString());
    }

    /** A continuous session on a thread of its own, so that a stuck one fails the test. */
    private record Session(Thread thread, StringWriter output, int[] exit) {
        static Session start(String[] arguments) {
            StringWriter output = new StringWriter();
            int[] exit = {-1};
            Thread thread =
                    new Thread(
                            () -> exit[0] = command(output).execute(arguments),
                            "continuous-session");
            thread.setDaemon(true);
            thread.start();
            return new Session(thread, output, exit);
        }

        String awaitExit() throws InterruptedException {
            thread.join(Duration.ofSeconds(300).toMillis());
            assertTrue(!thread.isAlive(), "the session did not stop: " + output);
            assertEquals(0, exit[0], output.toString());
            return output.toString();
        }
    }

    private static String parameterHash(String output) {
        Matcher hash = Pattern.compile("Parameter hash ([0-9a-f]{64})").matcher(output);
        assertTrue(hash.find(), output);
        return hash.group(1);
    }

    private static String[] arguments(String... given) {
        List<String> all = new ArrayList<>(List.of(given));
        all.addAll(List.of(MODEL));
        all.addAll(List.of("--bootstrap-servers", broker.bootstrapServers()));
        return all.toArray(String[]::new);
    }

    private static CommandLine command(StringWriter output) {
        CommandLine command = LatentFlowCommand.commandLine();
        command.setOut(new PrintWriter(output, true));
        command.setErr(new PrintWriter(output, true));
        return command;
    }

    private static String run(String... given) {
        StringWriter output = new StringWriter();
        assertEquals(0, command(output).execute(arguments(given)), output.toString());
        return output.toString();
    }

    private static void awaitStep(String prefix, long step) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (metrics(prefix, "read_uncommitted").stream()
                        .anyMatch(m -> m.getStep() == step)) {
                    return;
                }
            } catch (RuntimeException e) {
                // The first session may not have created the topics yet.
            }
            Thread.sleep(200);
        }
        throw new AssertionError("The first session did not reach step " + step + " in 180 s");
    }

    private static List<TrainingMetrics> committedMetrics(String prefix) throws IOException {
        return metrics(prefix, "read_committed");
    }

    private static List<TrainingMetrics> metrics(String prefix, String isolation) {
        String topic = TopicNames.withPrefix(prefix).metrics();
        Map<TopicPartition, Long> end =
                TopicAdministration.endOffsets(broker.bootstrapServers(), topic);
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<TrainingMetrics> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.entrySet().stream()
                            .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    try {
                        records.add(AvroWireFormat.trainingMetrics().decode(record.value()));
                    } catch (IOException e) {
                        throw new AssertionError("Undecodable metrics record", e);
                    }
                }
            }
        }
        return records;
    }
}
