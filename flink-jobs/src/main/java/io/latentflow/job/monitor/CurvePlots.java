package io.latentflow.job.monitor;

import io.latentflow.core.plot.LossPlot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The monitor page's charts as PNG files, drawn with {@link LossPlot}: one file per chart, every
 * run overlaid, gradient norms on a logarithmic axis.
 */
public final class CurvePlots {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;

    /** One chart: its file, title, axis label and the quantities it overlays. */
    private record Chart(
            String file,
            String title,
            String yLabel,
            boolean logScale,
            List<Map.Entry<MonitoredQuantity, String>> quantities) {}

    private static final List<Chart> CHARTS =
            List.of(
                    new Chart(
                            "losses.png",
                            "losses",
                            "loss",
                            false,
                            List.of(
                                    Map.entry(MonitoredQuantity.DISCRIMINATOR_LOSS, "L_D"),
                                    Map.entry(MonitoredQuantity.GENERATOR_LOSS, "L_G"))),
                    new Chart(
                            "accuracy.png",
                            "discriminator accuracy",
                            "fraction correct",
                            false,
                            List.of(
                                    Map.entry(MonitoredQuantity.REAL_ACCURACY, "on real"),
                                    Map.entry(MonitoredQuantity.FAKE_ACCURACY, "on generated"))),
                    new Chart(
                            "gradient-norms.png",
                            "gradient norms",
                            "L2 norm",
                            true,
                            List.of(
                                    Map.entry(
                                            MonitoredQuantity.DISCRIMINATOR_GRAD_NORM, "|grad D|"),
                                    Map.entry(MonitoredQuantity.GENERATOR_GRAD_NORM, "|grad G|"),
                                    Map.entry(MonitoredQuantity.ENCODER_GRAD_NORM, "|grad E|"))),
                    new Chart(
                            "instance-noise.png",
                            "instance-noise sigma",
                            "sigma",
                            false,
                            List.of(Map.entry(MonitoredQuantity.INSTANCE_NOISE_SIGMA, "sigma"))),
                    new Chart(
                            "jsd-estimate.png",
                            "Jensen-Shannon estimate",
                            "nats",
                            false,
                            List.of(Map.entry(MonitoredQuantity.JSD_ESTIMATE, "JSD"))),
                    new Chart(
                            "reconstruction.png",
                            "reconstruction error (ALI)",
                            "mean squared error per pixel",
                            false,
                            List.of(Map.entry(MonitoredQuantity.RECONSTRUCTION_ERROR, "MSE"))),
                    new Chart(
                            "sequence-loss.png",
                            "recurrent model's loss against the task's baseline",
                            "loss",
                            false,
                            List.of(
                                    Map.entry(MonitoredQuantity.SEQUENCE_LOSS, "loss"),
                                    Map.entry(MonitoredQuantity.BASELINE_LOSS, "baseline"))),
                    new Chart(
                            "sequence-accuracy.png",
                            "recurrent model's accuracy",
                            "fraction correct",
                            false,
                            List.of(
                                    Map.entry(MonitoredQuantity.BATCH_ACCURACY, "batch"),
                                    Map.entry(MonitoredQuantity.TEST_ACCURACY, "test"))),
                    new Chart(
                            "sequence-gradient-norm.png",
                            "recurrent model's gradient norm",
                            "L2 norm",
                            true,
                            List.of(Map.entry(MonitoredQuantity.GRADIENT_NORM, "|grad|"))),
                    new Chart(
                            "unitarity.png",
                            "deviation of W from unitarity (uRNN)",
                            "max |W^H W - I|",
                            true,
                            List.of(
                                    Map.entry(
                                            MonitoredQuantity.UNITARITY_DEVIATION, "|W^H W - I|"))),
                    new Chart(
                            "training-error.png",
                            "autoencoder training error",
                            "squared error per image",
                            false,
                            List.of(Map.entry(MonitoredQuantity.TRAINING_ERROR, "error"))),
                    new Chart(
                            "damping.png",
                            "Hessian-free damping",
                            "lambda",
                            true,
                            List.of(Map.entry(MonitoredQuantity.DAMPING, "lambda"))),
                    new Chart(
                            "samples-per-second.png",
                            "throughput",
                            "samples per second",
                            false,
                            List.of(Map.entry(MonitoredQuantity.SAMPLES_PER_SECOND, "samples/s"))),
                    new Chart(
                            "dead-letters.png",
                            "dead letters and skipped steps",
                            "count",
                            false,
                            List.of(
                                    Map.entry(MonitoredQuantity.DEAD_LETTERS, "dead letters"),
                                    Map.entry(MonitoredQuantity.SKIPPED_STEPS, "skipped steps"))));

    private CurvePlots() {}

    /**
     * Writes a PNG for every chart that has something to draw.
     *
     * @param histories the runs to draw
     * @param folder where the files go; created if missing
     * @return the files written
     * @throws IOException if a file cannot be written
     */
    public static List<Path> write(RunHistories histories, Path folder) throws IOException {
        List<Path> written = new ArrayList<>();
        for (Chart chart : CHARTS) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            boolean[] drawable = {false};
            histories.read(
                    run -> {
                        for (Map.Entry<MonitoredQuantity, String> quantity : chart.quantities()) {
                            double[][] points = points(run, quantity.getKey());
                            if (hasDrawablePoint(points[1], chart.logScale())) {
                                drawable[0] = true;
                                series.put(run.runId() + " " + quantity.getValue(), points);
                            }
                        }
                    });
            if (!drawable[0]) {
                continue;
            }
            Path file = folder.resolve(chart.file());
            if (chart.logScale()) {
                LossPlot.writePngLogScale(
                        file, chart.title(), chart.yLabel(), series, WIDTH, HEIGHT);
            } else {
                LossPlot.writePng(file, chart.title(), chart.yLabel(), series, WIDTH, HEIGHT);
            }
            written.add(file);
        }
        return written;
    }

    private static double[][] points(RunHistory run, MonitoredQuantity quantity) {
        double[][] points = new double[2][run.size()];
        for (int i = 0; i < run.size(); i++) {
            points[0][i] = run.stepAt(i);
            points[1][i] = run.valueAt(quantity, i);
        }
        return points;
    }

    private static boolean hasDrawablePoint(double[] values, boolean logScale) {
        for (double value : values) {
            if (Double.isFinite(value) && (!logScale || value > 0)) {
                return true;
            }
        }
        return false;
    }
}
