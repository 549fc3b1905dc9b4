package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code latentflow train} as a user runs it: embedded broker, real Fashion-MNIST streamed while
 * the MiniCluster trains, and the run folder filled at the end.
 */
class TrainCommandITCase {

    @TempDir Path runDir;

    @Test
    void trainWritesGridsPlotMetricsAndAManifestWithTheOffsetsConsumed() throws Exception {
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));

        int exit =
                command.execute(
                        "train",
                        "--steps",
                        "40",
                        "--batch-size",
                        "20",
                        "--hidden-units",
                        "64",
                        "--latent-dim",
                        "8",
                        "--metrics-interval",
                        "10",
                        "--seed",
                        "5",
                        "--run-id",
                        "cli-test",
                        "--run-dir",
                        runDir.toString());

        assertEquals(0, exit, output.toString());
        BufferedImage samples = ImageIO.read(runDir.resolve("samples.png").toFile());
        assertEquals(10 * (28 * 2 + 2) + 2, samples.getWidth());
        BufferedImage pairs = ImageIO.read(runDir.resolve("reconstructions.png").toFile());
        assertEquals(20 * (28 * 2 + 2) + 2, pairs.getWidth());
        assertTrue(ImageIO.read(runDir.resolve("losses.png").toFile()).getWidth() > 0);
        assertTrue(ImageIO.read(runDir.resolve("diagnostics.png").toFile()).getWidth() > 0);
        assertTrue(ImageIO.read(runDir.resolve("gradients.png").toFile()).getWidth() > 0);
        assertEquals(List.of("step-00000040.avro"), fileNames(runDir.resolve("snapshots")));

        List<String> csv = Files.readAllLines(runDir.resolve("metrics.csv"));
        assertEquals(1 + 5, csv.size(), "header and steps 1, 10, 20, 30, 40: " + csv);
        assertTrue(csv.get(5).startsWith("40,true,"), csv.get(5));

        JsonNode manifest = new ObjectMapper().readTree(runDir.resolve("manifest.json").toFile());
        assertEquals("cli-test", manifest.get("runId").asText());
        assertEquals(5, manifest.get("seed").asLong());
        assertEquals(40, manifest.get("steps").asLong());
        assertEquals("64", manifest.get("configuration").get("hiddenUnits").asText());
        JsonNode data = manifest.get("topics").get("latentflow.data").get("partition 0");
        assertEquals(0, data.get("from").asLong());
        assertEquals(40 * 20, data.get("until").asLong());
        assertEquals(64, manifest.get("parameterHash").asText().length());
        double reconstruction =
                manifest.get("evaluation").get("reconstructionMeanSquaredError").asDouble();
        assertTrue(reconstruction > 0 && reconstruction < 1, "reconstruction " + reconstruction);
        assertFalse(Files.exists(runDir.resolve("kafka")), "broker files were not removed");
    }

    @Test
    void aGanWithAnnealedInstanceNoiseKeepsItsSnapshotsAndHasNoReconstructions() throws Exception {
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));

        int exit =
                command.execute(
                        "train",
                        "--model",
                        "gan",
                        "--generator-cost",
                        "minimax",
                        "--instance-noise",
                        "0.1",
                        "--noise-schedule",
                        "exponential",
                        "--steps",
                        "40",
                        "--batch-size",
                        "20",
                        "--hidden-units",
                        "64",
                        "--latent-dim",
                        "8",
                        "--snapshot-interval",
                        "20",
                        "--run-dir",
                        runDir.toString());

        assertEquals(0, exit, output.toString());
        assertTrue(output.toString().contains("Run gan-seed1-"), output.toString());
        assertTrue(Files.exists(runDir.resolve("samples.png")));
        assertFalse(Files.exists(runDir.resolve("reconstructions.png")));
        assertEquals(
                List.of("step-00000020.avro", "step-00000040.avro"),
                fileNames(runDir.resolve("snapshots")));
        JsonNode configuration =
                new ObjectMapper()
                        .readTree(runDir.resolve("manifest.json").toFile())
                        .get("configuration");
        assertEquals("gan-mlp", configuration.get("model").asText());
        assertEquals("minimax", configuration.get("generatorCost").asText());
        assertEquals("0.1", configuration.get("instanceNoise").asText());
        assertEquals("exponential", configuration.get("instanceNoiseSchedule").asText());
        assertEquals("40", configuration.get("instanceNoiseAnnealSteps").asText());
        List<String> csv = Files.readAllLines(runDir.resolve("metrics.csv"));
        int sigmaColumn = List.of(csv.get(0).split(",")).indexOf("instance_noise_sigma");
        assertEquals(0.1, Double.parseDouble(csv.get(1).split(",")[sigmaColumn]), 1e-9);
    }

    private static List<String> fileNames(Path folder) throws java.io.IOException {
        try (var files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
