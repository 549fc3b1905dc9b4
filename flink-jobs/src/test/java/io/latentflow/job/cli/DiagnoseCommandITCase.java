package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.core.model.ModelKind;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.schema.DiscriminatorProbe;
import io.latentflow.schema.ModelSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;

/**
 * {@code latentflow diagnose} against a real broker on real Fashion-MNIST, with two small untrained
 * GAN snapshots in a run folder: a fresh discriminator must learn to tell their samples from data,
 * and every measurement must reach the CSV, the plots and the metrics topic.
 */
class DiagnoseCommandITCase {

    private static final String PREFIX = "diagnose-test";
    private static final int ITERATIONS = 30;

    @TempDir static Path folder;

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = EmbeddedKafkaBroker.start(folder.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws IOException {
        broker.close();
    }

    @Test
    void aFreshDiscriminatorLearnsAndEveryMeasurementReachesCsvPlotsAndTopic() throws Exception {
        Path runFolder = folder.resolve("gan-run");
        Path snapshots = Files.createDirectories(runFolder.resolve("snapshots"));
        SnapshotFiles.write(snapshots, ganSnapshot(7, 11));
        SnapshotFiles.write(snapshots, ganSnapshot(9, 12));
        Path out = folder.resolve("probe");
        StringWriter output = new StringWriter();
        CommandLine command = LatentFlowCommand.commandLine();
        command.setOut(new PrintWriter(output));

        int exit =
                command.execute(
                        "diagnose",
                        "--snapshot",
                        runFolder.toString(),
                        "--step",
                        "7",
                        "--step",
                        "9",
                        "--iterations",
                        Integer.toString(ITERATIONS),
                        "--batch-size",
                        "20",
                        "--measure-every",
                        "10",
                        "--instance-noise",
                        "0.1",
                        "--seed",
                        "4",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--topic-prefix",
                        PREFIX,
                        "--out",
                        out.toString());

        assertEquals(0, exit, output.toString());
        List<String> csv = Files.readAllLines(out.resolve("diagnose.csv"));
        // Two snapshots, two noise levels, iterations 1, 10, 20 and 30 of each.
        assertEquals(1 + 2 * 2 * 4, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).contains(",gan-run,7,gan-mlp,4,0.0,1,true,"), csv.get(1));
        assertTrue(csv.get(16).contains(",gan-run,9,gan-mlp,4,0.1,30,true,"), csv.get(16));

        List<DiscriminatorProbe> probes = probesOnTheMetricsTopic();
        assertEquals(16, probes.size());
        for (DiscriminatorProbe probe : probes) {
            assertTrue(
                    Double.isFinite(probe.getGeneratorGradNormMinimax())
                            && probe.getGeneratorGradNormMinimax() > 0,
                    probe.toString());
            assertTrue(
                    Double.isFinite(probe.getGeneratorGradNormNonSaturating())
                            && probe.getGeneratorGradNormNonSaturating() > 0,
                    probe.toString());
            assertEquals(0, probe.getSkippedRecords());
        }
        for (int setting = 0; setting < 4; setting++) {
            DiscriminatorProbe first = probes.get(4 * setting);
            DiscriminatorProbe last = probes.get(4 * setting + 3);
            assertEquals(1, first.getIteration());
            assertEquals(ITERATIONS, last.getIteration());
            assertTrue(
                    last.getDiscriminatorAccuracy() > first.getDiscriminatorAccuracy(),
                    "accuracy did not rise: " + first + " then " + last);
            assertTrue(
                    last.getDiscriminatorLoss() < first.getDiscriminatorLoss() / 2,
                    "L_D did not fall by half: " + first + " then " + last);
            // The same batches for every setting: the last iteration read up to the same offset.
            assertEquals(ITERATIONS * 20 - 1, last.getDataOffset());
        }

        for (String plot :
                List.of(
                        "accuracy.png",
                        "gradients-minimax.png",
                        "gradients-non-saturating.png",
                        "gradients-non-saturating-spread.png")) {
            assertTrue(Files.size(out.resolve(plot)) > 0, plot);
            assertTrue(ImageIO.read(out.resolve(plot).toFile()).getWidth() > 0, plot);
        }
        String summary = Files.readString(out.resolve("summary.txt"));
        assertEquals(1 + 2 * 2 * 2, summary.strip().lines().count(), summary);
        assertTrue(summary.contains("step 9, noise 0.100"), summary);
        assertFalse(Files.exists(out.resolve("kafka")));
    }

    /** An untrained small GAN as the trainer would snapshot it, at a given step. */
    private static ModelSnapshot ganSnapshot(long step, long seed) {
        AdversarialConfig config =
                AdversarialConfig.mlpDefaults()
                        .withModel(ModelKind.GAN)
                        .withLatentDim(8)
                        .withHiddenUnits(32)
                        .withLearningRate(1e-3);
        AdversarialModel model = AdversarialModel.initialize(config, seed, DataType.FLOAT);
        Map<String, ByteBuffer> networks = new HashMap<>();
        for (Map.Entry<String, INDArray> network : model.parameters().entrySet()) {
            float[] values = network.getValue().toFloatVector();
            ByteBuffer bytes =
                    ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            networks.put(network.getKey(), bytes);
        }
        return ModelSnapshot.newBuilder()
                .setRunId("gan-run")
                .setModel(config.model().configName())
                .setSeed(seed)
                .setStep(step)
                .setConfiguration(config.describe())
                .setParameterHash(model.parameterHash())
                .setNetworks(networks)
                .build();
    }

    private static List<DiscriminatorProbe> probesOnTheMetricsTopic() throws IOException {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<DiscriminatorProbe> probes = new ArrayList<>();
        TopicPartition metrics = new TopicPartition(TopicNames.withPrefix(PREFIX).metrics(), 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(List.of(metrics));
            consumer.seekToBeginning(List.of(metrics));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (probes.size() < 16 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    probes.add(AvroWireFormat.discriminatorProbes().decode(record.value()));
                }
            }
        }
        return probes;
    }
}
