package io.latentflow.job.cli;

import io.latentflow.core.diagnostics.GradientNormTrend;
import io.latentflow.core.plot.LossPlot;
import io.latentflow.schema.DiscriminatorProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What {@code latentflow diagnose} leaves in its folder, drawn like figures 1 to 3 of Arjovsky and
 * Bottou (<a href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>): the fresh
 * discriminator's accuracy, and the generator's gradient norm under each cost on a logarithmic
 * axis, one line per snapshot and noise level; the measurements as CSV; and a summary table.
 */
final class DiagnoseOutputs {
    private static final String ITERATION = "discriminator iteration";
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    /** Measurements per rolling standard deviation of the -log D cost's gradient norm. */
    static final int SPREAD_WINDOW = 10;

    private final Path folder;
    private final boolean oneRun;

    /**
     * @param folder where the files go
     * @param oneRun whether every snapshot comes from one training run, so that the step alone
     *     names a snapshot in legends and tables
     */
    DiagnoseOutputs(Path folder, boolean oneRun) {
        this.folder = folder;
        this.oneRun = oneRun;
    }

    /** Writes every file and returns the summary table, as written to summary.txt. */
    String write(List<FrozenGeneratorProbe.Outcome> outcomes) throws IOException {
        writeCsv(outcomes);
        writeAccuracy(outcomes);
        writeGradients(outcomes);
        String summary = summary(outcomes);
        Files.writeString(folder.resolve("summary.txt"), summary);
        return summary;
    }

    /** The legend name of one snapshot under one noise level. */
    String label(FrozenGeneratorProbe.Outcome outcome) {
        String snapshot =
                (oneRun ? "" : outcome.snapshot().getRunId() + " ")
                        + "step "
                        + outcome.snapshot().getStep();
        return String.format(
                Locale.ROOT, "%s, noise %s", snapshot, formatSigma(outcome.instanceNoiseSigma()));
    }

    private static String formatSigma(double sigma) {
        return sigma == 0 ? "off" : String.format(Locale.ROOT, "%.3g", sigma);
    }

    private void writeCsv(List<FrozenGeneratorProbe.Outcome> outcomes) throws IOException {
        try (PrintWriter csv =
                new PrintWriter(Files.newBufferedWriter(folder.resolve("diagnose.csv")))) {
            csv.println(
                    "probe_run_id,snapshot_run_id,snapshot_step,model,seed,instance_noise_sigma,"
                            + "iteration,applied,discriminator_loss,discriminator_accuracy,"
                            + "real_accuracy,fake_accuracy,generator_grad_norm_minimax,"
                            + "generator_grad_norm_non_saturating,data_offset,latent_offset,"
                            + "skipped_records");
            for (FrozenGeneratorProbe.Outcome outcome : outcomes) {
                for (DiscriminatorProbe m : outcome.measurements()) {
                    csv.println(row(m));
                }
            }
        }
    }

    private static String row(DiscriminatorProbe m) {
        return String.format(
                Locale.ROOT,
                "%s,%s,%d,%s,%d,%s,%d,%b,%.6f,%.4f,%.4f,%.4f,%.6g,%.6g,%d,%d,%d",
                m.getProbeRunId(),
                m.getSnapshotRunId(),
                m.getSnapshotStep(),
                m.getModel(),
                m.getSeed(),
                Double.toString(m.getInstanceNoiseSigma()),
                m.getIteration(),
                m.getApplied(),
                m.getDiscriminatorLoss(),
                m.getDiscriminatorAccuracy(),
                m.getRealAccuracy(),
                m.getFakeAccuracy(),
                m.getGeneratorGradNormMinimax(),
                m.getGeneratorGradNormNonSaturating(),
                m.getDataOffset(),
                m.getLatentOffset(),
                m.getSkippedRecords());
    }

    private void writeAccuracy(List<FrozenGeneratorProbe.Outcome> outcomes) throws IOException {
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (FrozenGeneratorProbe.Outcome outcome : outcomes) {
            double[] accuracy = outcome.accuracyPerIteration();
            double[] iterations = new double[accuracy.length];
            for (int i = 0; i < accuracy.length; i++) {
                iterations[i] = i + 1;
            }
            series.put(label(outcome), new double[][] {iterations, accuracy});
        }
        LossPlot.writePng(
                folder.resolve("accuracy.png"),
                "Accuracy of a fresh discriminator against a frozen generator",
                ITERATION,
                "accuracy on the next batch",
                series,
                WIDTH,
                HEIGHT);
    }

    private void writeGradients(List<FrozenGeneratorProbe.Outcome> outcomes) throws IOException {
        Map<String, double[][]> minimax = new LinkedHashMap<>();
        Map<String, double[][]> nonSaturating = new LinkedHashMap<>();
        Map<String, double[][]> spread = new LinkedHashMap<>();
        for (FrozenGeneratorProbe.Outcome outcome : outcomes) {
            List<DiscriminatorProbe> measurements = outcome.measurements();
            double[] iterations = values(measurements, DiscriminatorProbe::getIteration);
            double[] norms =
                    values(measurements, DiscriminatorProbe::getGeneratorGradNormNonSaturating);
            String label = label(outcome);
            minimax.put(
                    label,
                    new double[][] {
                        iterations,
                        values(measurements, DiscriminatorProbe::getGeneratorGradNormMinimax)
                    });
            nonSaturating.put(label, new double[][] {iterations, norms});
            spread.put(
                    label,
                    new double[][] {
                        iterations, GradientNormTrend.rollingStandardDeviation(norms, SPREAD_WINDOW)
                    });
        }
        LossPlot.writePngLogScale(
                folder.resolve("gradients-minimax.png"),
                "Generator gradient norm, original cost log(1 - D(G(z)))",
                ITERATION,
                "gradient norm",
                minimax,
                WIDTH,
                HEIGHT);
        LossPlot.writePngLogScale(
                folder.resolve("gradients-non-saturating.png"),
                "Generator gradient norm, cost -log D(G(z))",
                ITERATION,
                "gradient norm",
                nonSaturating,
                WIDTH,
                HEIGHT);
        LossPlot.writePngLogScale(
                folder.resolve("gradients-non-saturating-spread.png"),
                "Standard deviation of the last "
                        + SPREAD_WINDOW
                        + " measured norms, cost -log D(G(z))",
                ITERATION,
                "standard deviation of the gradient norm",
                spread,
                WIDTH,
                HEIGHT);
    }

    private static double[] values(
            List<DiscriminatorProbe> measurements, ToDoubleFunction<DiscriminatorProbe> value) {
        double[] values = new double[measurements.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = value.applyAsDouble(measurements.get(i));
        }
        return values;
    }

    /**
     * The table of how each norm moved: at the first and last measurement, their ratio, and the
     * variance of the last fifth of the measurements; with the discriminator's last accuracy.
     */
    String summary(List<FrozenGeneratorProbe.Outcome> outcomes) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.printf(
                Locale.ROOT,
                "%-32s %-15s %10s %12s %12s %12s %12s%n",
                "snapshot, noise",
                "cost",
                "last acc.",
                "first norm",
                "last norm",
                "last/first",
                "tail var.");
        for (FrozenGeneratorProbe.Outcome outcome : outcomes) {
            if (outcome.measurements().isEmpty()) {
                continue;
            }
            double[] accuracy = outcome.accuracyPerIteration();
            double lastAccuracy = accuracy[accuracy.length - 1];
            printTrend(
                    out,
                    outcome,
                    "minimax",
                    lastAccuracy,
                    DiscriminatorProbe::getGeneratorGradNormMinimax);
            printTrend(
                    out,
                    outcome,
                    "non-saturating",
                    lastAccuracy,
                    DiscriminatorProbe::getGeneratorGradNormNonSaturating);
        }
        out.flush();
        return text.toString();
    }

    private void printTrend(
            PrintWriter out,
            FrozenGeneratorProbe.Outcome outcome,
            String cost,
            double lastAccuracy,
            ToDoubleFunction<DiscriminatorProbe> norm) {
        GradientNormTrend trend = GradientNormTrend.of(values(outcome.measurements(), norm));
        out.printf(
                Locale.ROOT,
                "%-32s %-15s %10.4f %12.4g %12.4g %12.4g %12.4g%n",
                label(outcome),
                cost,
                lastAccuracy,
                trend.first(),
                trend.last(),
                trend.lastOverFirst(),
                trend.tailVariance());
    }
}
