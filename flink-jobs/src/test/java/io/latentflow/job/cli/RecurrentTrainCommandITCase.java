package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                        "--run-dir",
                        runDir.toString());

        assertEquals(0, exit, output.toString());
        assertTrue(
                output.toString().contains("Wrote 120 adding sequences of 10 steps"),
                output.toString());
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
