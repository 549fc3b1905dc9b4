package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    @Test
    void aSaddleFreeGanWritesBothPlayersSecondOrderColumnsEveryStep() throws Exception {
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));

        int exit =
                command.execute(
                        "train",
                        "--model",
                        "gan",
                        "--optimizer",
                        "sfhf",
                        "--steps",
                        "3",
                        "--batch-size",
                        "20",
                        "--curvature-batch",
                        "10",
                        "--max-inner-iterations",
                        "5",
                        "--hidden-units",
                        "32",
                        "--latent-dim",
                        "8",
                        "--run-dir",
                        runDir.toString());

        assertEquals(0, exit, output.toString());
        assertTrue(
                output.toString().contains("lambda D/G"),
                "the progress line shows both players' damping: " + output);
        JsonNode configuration =
                new ObjectMapper()
                        .readTree(runDir.resolve("manifest.json").toFile())
                        .get("configuration");
        assertEquals("SADDLE_FREE", configuration.get("hessianFreeMethod").asText());
        assertEquals("10", configuration.get("curvatureRows").asText());
        assertEquals("5", configuration.get("maxInnerIterations").asText());
        List<String> csv = Files.readAllLines(runDir.resolve("metrics.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        assertEquals(4, csv.size(), "a record every step: " + csv);
        for (String line : csv.subList(1, csv.size())) {
            String[] row = line.split(",");
            assertEquals("sfhf", row[header.indexOf("optimizer")]);
            for (String column :
                    List.of(
                            "discriminator_hf_damping",
                            "discriminator_hf_rho",
                            "discriminator_hf_most_negative_curvature",
                            "generator_hf_curvature_products",
                            "generator_hf_predicted_reduction",
                            "generator_hf_most_negative_curvature")) {
                double value = Double.parseDouble(row[header.indexOf(column)]);
                assertTrue(Double.isFinite(value), column + " in " + line);
            }
        }
    }

    @Test
    void trainWithMonitorServesTheRunsPointsWhileItTrains() throws Exception {
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));
        int[] exit = {-1};
        Thread training =
                new Thread(
                        () ->
                                exit[0] =
                                        command.execute(
                                                "train",
                                                "--monitor",
                                                "--monitor-port",
                                                "0",
                                                "--steps",
                                                "200",
                                                "--batch-size",
                                                "20",
                                                "--hidden-units",
                                                "64",
                                                "--latent-dim",
                                                "8",
                                                "--run-id",
                                                "monitored",
                                                "--run-dir",
                                                runDir.toString()),
                        "test-train");
        training.start();

        Matcher address = Pattern.compile("Monitor at (http://\\S+)").matcher("");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!address.reset(output.toString()).find() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        URI history = URI.create(address.group(1)).resolve("api/history");
        HttpClient http = HttpClient.newHttpClient();
        JsonNode runs = new ObjectMapper().createArrayNode();
        while (runs.isEmpty() && training.isAlive() && System.nanoTime() < deadline) {
            runs =
                    new ObjectMapper()
                            .readTree(
                                    http.send(
                                                    HttpRequest.newBuilder(history).build(),
                                                    HttpResponse.BodyHandlers.ofString())
                                            .body())
                            .get("runs");
            Thread.sleep(200);
        }
        training.join();

        assertEquals(0, exit[0], output.toString());
        assertEquals(1, runs.size(), "the monitor showed no run while training");
        assertEquals("monitored", runs.get(0).get("runId").asText());
        assertTrue(runs.get(0).get("lastStep").asLong() >= 1);
    }

    @Test
    void trainWithPrometheusPortServesTheTrainersGaugesWhileItTrains() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));
        int[] exit = {-1};
        Thread training =
                new Thread(
                        () ->
                                exit[0] =
                                        command.execute(
                                                "train",
                                                "--prometheus-port",
                                                Integer.toString(port),
                                                "--steps",
                                                "1500",
                                                "--batch-size",
                                                "20",
                                                "--hidden-units",
                                                "64",
                                                "--latent-dim",
                                                "8",
                                                "--run-id",
                                                "scraped",
                                                "--run-dir",
                                                runDir.toString()),
                        "test-train");
        training.start();

        // The reporter serves only while the MiniCluster runs, so read while the run trains.
        URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        HttpClient http = HttpClient.newHttpClient();
        // A scrape taken while the first record arrives can read some gauges before it and some
        // after, so scrape until every gauge of the trainer is finite in one scrape.
        String scraped = "";
        List<String> notFinite = TRAINER_GAUGES;
        while (!notFinite.isEmpty() && training.isAlive()) {
            try {
                scraped =
                        http.send(
                                        HttpRequest.newBuilder(metrics).build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                notFinite = notFiniteGauges(scraped);
            } catch (java.io.IOException notYet) {
                // The MiniCluster has not started its reporter yet.
            }
            Thread.sleep(100);
        }
        training.join();
        Path saved = Path.of("target", "prometheus-scrape.txt");
        Files.writeString(saved, scraped);

        assertEquals(0, exit[0], output.toString());
        assertEquals(
                List.of(), notFinite, "gauges missing or not finite in " + saved.toAbsolutePath());
        // The decoders' dead-letter counter, which the dashboard sums over both decoders.
        Matcher deadLetters =
                Pattern.compile(
                                "(?m)^flink_taskmanager_job_task_operator_deadLetters\\{[^}]*"
                                        + "operator_name=\"DataSampleDecoder\"[^}]*\\} (\\S+)$")
                        .matcher(scraped);
        assertTrue(deadLetters.find(), "deadLetters missing from " + saved.toAbsolutePath());
        assertEquals(0.0, Double.parseDouble(deadLetters.group(1)));
    }

    private static final List<String> TRAINER_GAUGES =
            List.of(
                    "discriminatorLoss",
                    "generatorLoss",
                    "discriminatorAccuracy",
                    "realAccuracy",
                    "fakeAccuracy",
                    "discriminatorGradNorm",
                    "generatorGradNorm",
                    "encoderGradNorm",
                    "instanceNoiseSigma",
                    "samplesPerSecond",
                    "step");

    /** The trainer's gauges that a Prometheus scrape lacks or reports as NaN or infinite. */
    private static List<String> notFiniteGauges(String scraped) {
        List<String> notFinite = new java.util.ArrayList<>();
        for (String gauge : TRAINER_GAUGES) {
            Matcher found =
                    Pattern.compile(
                                    "(?m)^flink_taskmanager_job_task_operator_"
                                            + gauge
                                            + "\\{[^}]*operator_name=\"AdversarialTrainer\"[^}]*\\}"
                                            + " (\\S+)$")
                            .matcher(scraped);
            if (!found.find() || !Double.isFinite(Double.parseDouble(found.group(1)))) {
                notFinite.add(gauge);
            }
        }
        return notFinite;
    }

    private static List<String> fileNames(Path folder) throws java.io.IOException {
        try (var files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
