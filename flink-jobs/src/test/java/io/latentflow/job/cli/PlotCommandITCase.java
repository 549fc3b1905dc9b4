package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.schema.TrainingMetrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code latentflow plot} from a run folder and from the metrics topic of a real broker. */
class PlotCommandITCase {

    @Test
    void aRunFolderIsDrawnFromItsMetricsCsv(@TempDir Path runDir, @TempDir Path output)
            throws Exception {
        Files.write(
                runDir.resolve("metrics.csv"),
                List.of(
                        "step,discriminator_loss,generator_loss,real_accuracy,fake_accuracy,"
                                + "discriminator_grad_norm,generator_grad_norm,"
                                + "encoder_grad_norm,reconstruction_error,warning",
                        "10,1.30,0.70,0.6,0.5,2.0,0.5,0.3,0.06,",
                        "20,1.25,0.72,0.7,0.6,1.0,0.1,0.2,0.05,"));
        Files.writeString(
                runDir.resolve("manifest.json"),
                "{\"runId\": \"folder-run\", \"model\": \"ali-mlp\"}");

        StringWriter text = new StringWriter();
        int exit =
                command(text)
                        .execute(
                                "plot",
                                "--run-dir",
                                runDir.toString(),
                                "--output",
                                output.toString());

        assertEquals(0, exit, text.toString());
        assertTrue(text.toString().contains("Drew 1 run (folder-run)"), text.toString());
        assertEquals(
                List.of("accuracy.png", "gradient-norms.png", "losses.png", "reconstruction.png"),
                fileNames(output));
        assertEquals(1000, ImageIO.read(output.resolve("losses.png").toFile()).getWidth());
    }

    @Test
    void theTopicsRunsAreDrawnTogether(@TempDir Path brokerDir, @TempDir Path output)
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDir.resolve("kafka"))) {
            TopicNames topics = TopicNames.withPrefix("plot");
            TopicAdministration.ensureTopics(broker.bootstrapServers(), topics);
            write(broker.bootstrapServers(), topics.metrics(), List.of("plot-a", "plot-b"));

            StringWriter text = new StringWriter();
            int exit =
                    command(text)
                            .execute(
                                    "plot",
                                    "--bootstrap-servers",
                                    broker.bootstrapServers(),
                                    "--topic-prefix",
                                    "plot",
                                    "--output",
                                    output.toString());

            assertEquals(0, exit, text.toString());
            assertTrue(text.toString().contains("Drew 2 runs (plot-a, plot-b)"), text.toString());
            assertTrue(Files.exists(output.resolve("gradient-norms.png")));
            assertTrue(Files.exists(output.resolve("instance-noise.png")));
            assertTrue(Files.exists(output.resolve("samples-per-second.png")));
        }
    }

    private static void write(String bootstrap, String topic, List<String> runIds) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        AvroWireFormat<TrainingMetrics> format = AvroWireFormat.trainingMetrics();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (String runId : runIds) {
                for (long step = 10; step <= 100; step += 10) {
                    TrainingMetrics metrics =
                            TrainingMetrics.newBuilder()
                                    .setRunId(runId)
                                    .setModel("gan-mlp")
                                    .setSeed(1)
                                    .setStep(step)
                                    .setBatchSize(20)
                                    .setApplied(true)
                                    .setDiscriminatorLoss(1.3)
                                    .setGeneratorLoss(0.7)
                                    .setMeanRealScore(0.6)
                                    .setMeanFakeScore(0.4)
                                    .setDiscriminatorAccuracy(0.7)
                                    .setDiscriminatorGradNorm(1.0 / step)
                                    .setGeneratorGradNorm(0.5)
                                    .setEncoderGradNorm(0)
                                    .setInstanceNoiseSigma(0.1)
                                    .setReconstructionError(Double.NaN)
                                    .setSamplesPerSecond(1000)
                                    .setDataOffset(step)
                                    .setLatentOffset(step)
                                    .setDeadLetters(0)
                                    .setSkippedSteps(0)
                                    .build();
                    producer.send(new ProducerRecord<>(topic, format.encode(metrics)));
                }
            }
            producer.flush();
        }
    }

    private static CommandLine command(StringWriter text) {
        CommandLine command = LatentFlowCommand.commandLine();
        command.setOut(new PrintWriter(text));
        command.setErr(new PrintWriter(text));
        return command;
    }

    private static List<String> fileNames(Path folder) throws java.io.IOException {
        try (var files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
