package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderComparisonPlotsTest {
    @TempDir Path folder;

    private Path run(String name, String... rows) throws Exception {
        Path run = Files.createDirectories(folder.resolve(name));
        Files.writeString(
                run.resolve("metrics.csv"),
                AutoencoderTrainRun.CSV_HEADER + "\n" + String.join("\n", rows) + "\n");
        return run;
    }

    @Test
    void plotDrawsAutoencoderRunsByPassesAndSecondsWithATableOfTheirLastRecords() throws Exception {
        Path adam =
                run(
                        "adam",
                        "0,true,0,0,0,0,NaN,134.6,,,,,,,,,,,0,-1,0,0," + "a".repeat(64),
                        "100,true,10000,0.166667,0.166667,8.5,14.6,28.66,,,,,,,,,,,1098,9999,0,0,"
                                + "b".repeat(64));
        Path sfhf =
                run(
                        "sfhf",
                        "0,true,0,0,0,0,NaN,134.6,,,,,,,,,,,0,-1,0,0," + "a".repeat(64),
                        "1,true,6000,0.1,1.9,31.5,66.7,120.5,1,0.667,25,61,-5.1,-5.0,0.98,1,-3.8,"
                                + "false,190,6001,2,0,"
                                + "c".repeat(64));
        Path output = folder.resolve("plots");
        StringWriter printed = new StringWriter();
        picocli.CommandLine command = LatentFlowCommand.commandLine();
        command.setOut(new PrintWriter(printed));

        int exit =
                command.execute(
                        "plot",
                        "--run-dir",
                        adam.toString(),
                        "--run-dir",
                        sfhf.toString(),
                        "--output",
                        output.toString());

        assertEquals(0, exit, printed.toString());
        String text = printed.toString();
        assertTrue(text.contains("| adam | 100 | 0.17 | 0.17 | 9 | 28.660 |"), text);
        assertTrue(text.contains("| sfhf | 1 | 0.10 | 1.90 | 32 | 120.500 |"), text);
        for (String png : new String[] {"by-passes", "by-seconds"}) {
            Path file = output.resolve("training-error-" + png + ".png");
            assertTrue(ImageIO.read(file.toFile()).getWidth() > 0, file.toString());
        }
        assertTrue(AutoencoderComparisonPlots.isAutoencoderRun(adam));
        Files.writeString(folder.resolve("other.csv"), "step,loss\n1,2\n");
        assertFalse(AutoencoderComparisonPlots.isAutoencoderRun(folder));
    }

    @Test
    void plotDrawsAutoencoderAndAdversarialRunsGivenTogetherEachWithTheirOwnCharts()
            throws Exception {
        Path autoencoder =
                run(
                        "autoencoder",
                        "0,true,0,0,0,0,NaN,134.6,,,,,,,,,,,0,-1,0,0," + "a".repeat(64),
                        "100,true,10000,0.166667,0.166667,8.5,14.6,28.66,,,,,,,,,,,1098,9999,0,0,"
                                + "b".repeat(64));
        Path ali = Files.createDirectories(folder.resolve("ali"));
        Files.writeString(
                ali.resolve("metrics.csv"),
                "step,discriminator_loss,generator_loss,real_accuracy,fake_accuracy\n"
                        + "10,1.30,0.70,0.6,0.5\n"
                        + "20,1.25,0.72,0.7,0.6\n");
        Path output = folder.resolve("plots");
        StringWriter printed = new StringWriter();
        picocli.CommandLine command = LatentFlowCommand.commandLine();
        command.setOut(new PrintWriter(printed));
        command.setErr(new PrintWriter(printed));

        int exit =
                command.execute(
                        "plot",
                        "--run-dir",
                        ali.toString(),
                        "--run-dir",
                        autoencoder.toString(),
                        "--output",
                        output.toString());

        assertEquals(0, exit, printed.toString());
        String text = printed.toString();
        assertTrue(text.contains("Drew 1 autoencoder run into"), text);
        assertTrue(text.contains("| autoencoder | 100 |"), text);
        assertTrue(text.contains("Drew 1 run (ali)"), text);
        assertTrue(Files.isRegularFile(output.resolve("training-error-by-passes.png")));
        assertTrue(Files.isRegularFile(output.resolve("losses.png")));
    }
}
