package io.latentflow.job.cli;

import io.latentflow.core.plot.LossPlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the autoencoder runs of several run folders side by side, as the Hessian-free literature
 * compares optimizers: the training error on the evaluation sample against passes over the training
 * set (training-error-by-passes.png) and against wall seconds spent in training steps
 * (training-error-by-seconds.png), and a table of where each run ended.
 */
final class AutoencoderComparisonPlots {
    private AutoencoderComparisonPlots() {}

    /** Whether the folder's metrics.csv is an autoencoder run's. */
    static boolean isAutoencoderRun(Path folder) throws IOException {
        Path csv = folder.resolve("metrics.csv");
        if (!Files.isRegularFile(csv)) {
            return false;
        }
        List<String> lines = Files.readAllLines(csv);
        return !lines.isEmpty() && lines.get(0).equals(AutoencoderTrainRun.CSV_HEADER);
    }

    /** One run's curve: passes, compute passes, seconds and training error per record. */
    record Curve(
            String name,
            double[] passes,
            double[] computePasses,
            double[] seconds,
            double[] error,
            long lastStep) {}

    static Curve read(Path folder) throws IOException {
        List<String> lines = Files.readAllLines(folder.resolve("metrics.csv"));
        List<String> header = Arrays.asList(lines.get(0).split(","));
        int rows = lines.size() - 1;
        double[] passes = new double[rows];
        double[] computePasses = new double[rows];
        double[] seconds = new double[rows];
        double[] error = new double[rows];
        long lastStep = 0;
        for (int i = 0; i < rows; i++) {
            String[] fields = lines.get(i + 1).split(",", -1);
            passes[i] = Double.parseDouble(fields[header.indexOf("passes")]);
            computePasses[i] = Double.parseDouble(fields[header.indexOf("compute_passes")]);
            seconds[i] = Double.parseDouble(fields[header.indexOf("training_seconds")]);
            error[i] = Double.parseDouble(fields[header.indexOf("training_error")]);
            lastStep = Long.parseLong(fields[header.indexOf("step")]);
        }
        String name = folder.toAbsolutePath().normalize().getFileName().toString();
        return new Curve(name, passes, computePasses, seconds, error, lastStep);
    }

    /** Writes the two plots into {@code output}; returns the files and a Markdown table. */
    static List<String> write(List<Path> folders, Path output) throws IOException {
        List<Curve> curves = new ArrayList<>();
        for (Path folder : folders) {
            curves.add(read(folder));
        }
        Map<String, double[][]> byPasses = new LinkedHashMap<>();
        Map<String, double[][]> bySeconds = new LinkedHashMap<>();
        List<String> table = new ArrayList<>();
        table.add(
                "| run | steps | passes over the data | work in passes | seconds in steps |"
                        + " training error |");
        table.add("|---|---|---|---|---|---|");
        for (Curve curve : curves) {
            byPasses.put(curve.name(), new double[][] {curve.passes(), curve.error()});
            bySeconds.put(curve.name(), new double[][] {curve.seconds(), curve.error()});
            int last = curve.error().length - 1;
            table.add(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %.2f | %.2f | %.0f | %.3f |",
                            curve.name(),
                            curve.lastStep(),
                            curve.passes()[last],
                            curve.computePasses()[last],
                            curve.seconds()[last],
                            curve.error()[last]));
        }
        String title = "Deep autoencoder on Fashion-MNIST, streamed";
        String yLabel = "training error (squared, per example)";
        LossPlot.writePngLogScale(
                output.resolve("training-error-by-passes.png"),
                title,
                "passes over the training set",
                yLabel,
                byPasses,
                900,
                560);
        LossPlot.writePngLogScale(
                output.resolve("training-error-by-seconds.png"),
                title,
                "wall seconds in training steps",
                yLabel,
                bySeconds,
                900,
                560);
        return table;
    }
}
