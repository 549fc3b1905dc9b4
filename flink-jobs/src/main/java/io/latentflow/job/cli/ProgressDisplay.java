package io.latentflow.job.cli;

import io.latentflow.schema.TrainingMetrics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * The command line's progress line: step, losses, throughput and the time left.
 *
 * <p>On a terminal it redraws one line; in a log (no console) it prints a line every tenth of the
 * run so that CI output stays short.
 */
final class ProgressDisplay {
    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final long totalSteps;
    private final boolean terminal;
    private long firstStep = -1;
    private long firstStepNanos;
    private long lastPrintedTenth = -1;

    ProgressDisplay(PrintWriter out, long totalSteps, boolean terminal) {
        this.out = out;
        this.totalSteps = totalSteps;
        this.terminal = terminal;
    }

    void show(TrainingMetrics metrics) {
        String line = line(metrics);
        if (metrics.getWarning() != null) {
            out.printf(
                    Locale.ROOT,
                    "%sWarning at step %d: %s%n",
                    terminal ? "\r" : "",
                    metrics.getStep(),
                    metrics.getWarning());
        }
        if (terminal) {
            out.print("\r" + line);
            out.flush();
            return;
        }
        long tenth = totalSteps > 0 ? metrics.getStep() * 10 / totalSteps : metrics.getStep() / 100;
        if (tenth != lastPrintedTenth || !metrics.getApplied()) {
            lastPrintedTenth = tenth;
            out.println(line);
            out.flush();
        }
    }

    void finish() {
        if (terminal) {
            out.println();
            out.flush();
        }
    }

    String line(TrainingMetrics m) {
        StringBuilder line = new StringBuilder();
        if (totalSteps > 0) {
            double fraction = Math.min(1.0, m.getStep() / (double) totalSteps);
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            line.append('[')
                    .append("=".repeat(filled))
                    .append(" ".repeat(BAR_WIDTH - filled))
                    .append("] ");
            line.append(String.format(Locale.ROOT, "step %d/%d", m.getStep(), totalSteps));
        } else {
            line.append(String.format(Locale.ROOT, "step %d", m.getStep()));
        }
        line.append(
                String.format(
                        Locale.ROOT,
                        "  L_D %.3f  L_G %.3f  D acc %.2f/%.2f  |grad G| %.2g",
                        m.getDiscriminatorLoss(),
                        m.getGeneratorLoss(),
                        m.getRealAccuracy(),
                        m.getFakeAccuracy(),
                        m.getGeneratorGradNorm()));
        if (!Double.isNaN(m.getReconstructionError())) {
            line.append(String.format(Locale.ROOT, "  recon %.4f", m.getReconstructionError()));
        }
        if (m.getInstanceNoiseSigma() > 0) {
            line.append(String.format(Locale.ROOT, "  sigma %.3f", m.getInstanceNoiseSigma()));
        }
        line.append(String.format(Locale.ROOT, "  %.0f samples/s", m.getSamplesPerSecond()));
        // The time left is extrapolated from the steps seen since the first record, so that
        // start-up does not count as training time.
        if (firstStep < 0) {
            firstStep = m.getStep();
            firstStepNanos = System.nanoTime();
        } else if (totalSteps > 0 && m.getStep() > firstStep && m.getStep() < totalSteps) {
            double elapsed = (System.nanoTime() - firstStepNanos) / 1e9;
            double perStep = elapsed / (m.getStep() - firstStep);
            long remaining = (long) (perStep * (totalSteps - m.getStep()));
            line.append("  ETA ").append(format(Duration.ofSeconds(remaining)));
        }
        if (m.getDeadLetters() > 0) {
            line.append("  dead letters ").append(m.getDeadLetters());
        }
        if (!m.getApplied()) {
            line.append("  (step not applied: non-finite loss)");
        }
        return line.toString();
    }

    static String format(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
}
