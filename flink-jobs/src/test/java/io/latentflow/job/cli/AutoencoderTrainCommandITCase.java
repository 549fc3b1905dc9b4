package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * {@code latentflow train --model autoencoder} as a user runs it: embedded broker, Fashion-MNIST
 * streamed into the data topic, a small autoencoder trained with Gauss-Newton Hessian-free in the
 * MiniCluster, a progress line, and the run folder filled from the monitoring topic.
 */
class AutoencoderTrainCommandITCase {

    @TempDir Path runDir;

    @Test
    void trainAutoencoderWithGaussNewtonWritesEveryStepsCurvatureMetricsAndAPlot()
            throws Exception {
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));

        int exit =
                command.execute(
                        "train",
                        "--model",
                        "autoencoder",
                        "--optimizer",
                        "gauss-newton",
                        "--layers",
                        "32,8",
                        "--gradient-batch",
                        "50",
                        "--curvature-batch",
                        "10",
                        "--steps",
                        "3",
                        "--evaluation-examples",
                        "30",
                        "--seed",
                        "3",
                        "--run-id",
                        "autoencoder-cli-test",
                        "--run-dir",
                        runDir.toString());

        String printed = output.toString();
        assertEquals(0, exit, printed);
        assertTrue(printed.contains("autoencoder 784-32-8-32-784 with gauss-newton"), printed);
        assertTrue(printed.contains("step 3/3"), "the progress line: " + printed);
        assertTrue(printed.contains("Parameter hash "), printed);
        List<String> csv = Files.readAllLines(runDir.resolve("metrics.csv"));
        assertEquals(AutoencoderTrainRun.CSV_HEADER, csv.get(0));
        assertEquals(1 + 4, csv.size(), "header and steps 0 to 3: " + csv);
        String[] header = csv.get(0).split(",");
        String[] last = csv.get(4).split(",", -1);
        assertEquals(header.length, last.length, csv.get(4));
        assertEquals("3", last[0]);
        assertEquals("150", last[2]);
        assertEquals(150 / 60_000.0, Double.parseDouble(last[3]), 1e-6);
        assertTrue(Double.parseDouble(last[7]) > 0, "training error " + last[7]);
        assertTrue(Double.parseDouble(last[8]) > 0, "damping " + last[8]);
        assertTrue(Integer.parseInt(last[10]) >= 1, "inner iterations " + last[10]);
        assertEquals("149", last[19]);
        assertEquals(64, last[header.length - 1].length(), "the parameter hash");
        assertEquals("", csv.get(1).split(",", -1)[8], "step 0 solved nothing");
        assertTrue(ImageIO.read(runDir.resolve("losses.png").toFile()).getWidth() > 0);
        JsonNode run = new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
        assertEquals("gauss-newton", run.path("optimizer").asText());
        assertEquals(3, run.path("seed").asLong());
        assertEquals("784-32-8-32-784", run.path("configuration").path("widths").asText());
        assertEquals(150, run.path("data").path("until").asLong());
        assertEquals(last[header.length - 1], run.path("parameterHash").asText());
    }
}
