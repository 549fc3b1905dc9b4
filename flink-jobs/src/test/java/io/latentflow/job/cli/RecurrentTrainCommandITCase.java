package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.tasks.PixelByPixelTask;
import io.latentflow.job.produce.SyntheticFashionMnist;
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
 * {@code latentflow train --model urnn} as a user runs it: embedded broker, the adding task
 * streamed into the data topic, the uRNN trained in the MiniCluster, and the run folder filled from
 * the monitoring topic.
 */
class RecurrentTrainCommandITCase {

    @TempDir Path runDir;

    @Test
    void trainUrnnOnAddingWritesMetricsWithTheBaselineAndPlots() throws Exception {
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));

        int exit =
                command.execute(
                        "train",
                        "--model",
                        "urnn",
                        "--task",
                        "adding",
                        "--task-length",
                        "10",
                        "--steps",
                        "6",
                        "--hidden-units",
                        "16",
                        "--metrics-interval",
                        "2",
                        "--seed",
                        "4",
                        "--run-id",
                        "urnn-cli-test",
                        "--monitor",
                        "--monitor-port",
                        "0",
                        "--run-dir",
                        runDir.toString());

        assertEquals(0, exit, output.toString());
        assertTrue(
                output.toString().contains("Wrote 120 adding sequences of 10 steps"),
                output.toString());
        assertTrue(output.toString().contains("Monitor at http://127.0.0.1:"), output.toString());
        assertTrue(
                output.toString().contains("] step 6/6  loss "),
                "a progress line for the last step: " + output);
        assertTrue(output.toString().contains("(baseline 0.1667)"), output.toString());
        List<String> csv = Files.readAllLines(runDir.resolve("metrics.csv"));
        assertEquals(1 + 4, csv.size(), "header and steps 1, 2, 4, 6: " + csv);
        String[] last = csv.get(4).split(",");
        assertEquals("6", last[0]);
        assertEquals("true", last[1]);
        assertTrue(Double.isFinite(Double.parseDouble(last[2])), csv.get(4));
        assertEquals(1.0 / 6, Double.parseDouble(last[3]), 1e-5);
        assertTrue(Double.parseDouble(last[5]) < 1e-12, "unitarity deviation " + last[5]);
        assertEquals("119", last[8]);
        assertTrue(ImageIO.read(runDir.resolve("losses.png").toFile()).getWidth() > 0);
        assertTrue(ImageIO.read(runDir.resolve("unitarity.png").toFile()).getWidth() > 0);
        assertTrue(ImageIO.read(runDir.resolve("gradient-norms.png").toFile()).getWidth() > 0);
    }

    @Test
    void trainLstmWithSaddleFreeStepsWritesTheSecondOrderColumns() throws Exception {
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));

        int exit =
                command.execute(
                        "train",
                        "--model",
                        "lstm",
                        "--task",
                        "copying",
                        "--task-length",
                        "10",
                        "--hidden-units",
                        "8",
                        "--optimizer",
                        "sfhf",
                        "--steps",
                        "2",
                        "--gradient-batch",
                        "40",
                        "--curvature-batch",
                        "10",
                        "--run-id",
                        "lstm-sfhf-cli-test",
                        "--run-dir",
                        runDir.toString());

        assertEquals(0, exit, output.toString());
        List<String> csv = Files.readAllLines(runDir.resolve("metrics.csv"));
        assertEquals(3, csv.size(), "header and steps 1, 2: " + csv);
        List<String> header = List.of(csv.get(0).split(","));
        for (String row : csv.subList(1, 3)) {
            String[] fields = row.split(",");
            for (String column : List.of("damping", "inner_iterations", "rho")) {
                double value = Double.parseDouble(fields[header.indexOf(column)]);
                assertTrue(Double.isFinite(value) && value > 0, column + " in " + row);
            }
            assertEquals("40", fields[header.indexOf("batch_size")]);
            assertEquals("10", fields[header.indexOf("curvature_batch")]);
        }
        double first = Double.parseDouble(csv.get(1).split(",")[2]);
        double second = Double.parseDouble(csv.get(2).split(",")[2]);
        assertTrue(second < first, "the first saddle-free step lowers the loss: " + csv);
    }

    @Test
    void trainLstmOnPermutedPixelsWritesTestAccuracyThePlotsAndThePixelOrder(@TempDir Path data)
            throws Exception {
        SyntheticFashionMnist.write(data, 20, 12);
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));

        int exit =
                command.execute(
                        "train",
                        "--model",
                        "lstm",
                        "--task",
                        "permuted-pixel",
                        "--permutation-seed",
                        "11",
                        "--optimizer",
                        "adam",
                        "--dataset-path",
                        data.toString(),
                        "--steps",
                        "2",
                        "--batch-size",
                        "4",
                        "--hidden-units",
                        "6",
                        "--test-interval",
                        "1",
                        "--test-examples",
                        "5",
                        "--run-id",
                        "lstm-cli-test",
                        "--run-dir",
                        runDir.toString());

        assertEquals(0, exit, output.toString());
        assertTrue(
                output.toString().contains("Test accuracy")
                        && output.toString().contains("on 12 held-out t10k images"),
                output.toString());
        List<String> csv = Files.readAllLines(runDir.resolve("metrics.csv"));
        assertEquals(3, csv.size(), "header and steps 1, 2: " + csv);
        assertTrue(csv.get(0).contains(",test_accuracy,test_loss,test_examples,"), csv.get(0));
        assertEquals("5", csv.get(1).split(",", -1)[12], "5 test images at step 1: " + csv.get(1));
        assertEquals("12", csv.get(2).split(",", -1)[12], "all 12 at the last: " + csv.get(2));
        assertTrue(
                csv.get(2).endsWith(",4,,,,,,,,,,,"),
                "batch size 4 and no second-order columns for adam: " + csv.get(2));
        assertTrue(csv.get(0).startsWith("step,applied,loss,baseline_loss,accuracy,"), csv.get(0));
        double lastAccuracy = Double.parseDouble(csv.get(2).split(",")[4]);
        assertTrue(
                lastAccuracy >= 0 && lastAccuracy <= 1,
                "batch accuracy at the last step, off the metrics interval: " + csv.get(2));
        assertTrue(output.toString().contains(", batch accuracy "), output.toString());
        assertFalse(output.toString().contains("W^H W - I"), "no unitarity for the LSTM");
        assertEquals("NaN", csv.get(2).split(",")[5], "an LSTM has no unitarity deviation");
        assertTrue(ImageIO.read(runDir.resolve("accuracy.png").toFile()).getWidth() > 0);
        assertTrue(ImageIO.read(runDir.resolve("losses.png").toFile()).getWidth() > 0);
        assertTrue(Files.notExists(runDir.resolve("unitarity.png")));

        JsonNode manifest = new ObjectMapper().readTree(runDir.resolve("manifest.json").toFile());
        assertEquals("lstm", manifest.get("model").asText());
        assertEquals("adam", manifest.get("configuration").get("optimizer").asText());
        assertEquals(11, manifest.get("permutationSeed").asLong());
        int[] order = PixelByPixelTask.permutation(11, 784);
        assertEquals(784, manifest.get("pixelOrder").size());
        for (int t = 0; t < order.length; t++) {
            assertEquals(order[t], manifest.get("pixelOrder").get(t).asInt());
        }
        assertEquals(64, manifest.get("parameterHash").asText().length());
        assertEquals(12, manifest.get("finalTestExamples").asInt());
    }

    @Test
    void produceRefusesTheUrnnWhichOnlyTrainStreams() {
        StringWriter errors = new StringWriter();
        CommandLine command = LatentFlowCommand.commandLine();
        command.setErr(new PrintWriter(errors));

        int exit =
                command.execute("produce", "--model", "urnn", "--bootstrap-servers", "127.0.0.1:1");

        assertTrue(exit != 0, "exit code " + exit);
        assertTrue(errors.toString().contains("train command only"), errors.toString());
    }
}
