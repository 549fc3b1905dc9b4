package io.latentflow.job.cli;

import io.latentflow.schema.AutoencoderTrainingMetrics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * The progress line of an autoencoder run: step, passes, training loss and error, for Hessian-free
 * the damping, inner iterations and rho, throughput and the time left.
 *
 * <p>On a terminal it redraws one line; in a log (no console) it prints a line every tenth of the
 * run, and every step of a run of at most 50 steps, so that Hessian-free runs show each step.
 */
final class AutoencoderProgress {
    private static final int BAR_WIDTH = 24;
    private static final long EVERY_STEP_UP_TO = 50;

    private final PrintWriter out;
    private final long totalSteps;
    private final boolean terminal;
    private long firstStep = -1;
    private long firstStepNanos;
    private long lastPrintedTenth = -1;

    AutoencoderProgress(PrintWriter out, long totalSteps, boolean terminal) {
        this.out = out;
        this.totalSteps = totalSteps;
        this.terminal = terminal;
    }

    void show(AutoencoderTrainingMetrics metrics) {
        String line = line(metrics);
        if (terminal) {
            out.print("\r" + line);
            out.flush();
            return;
        }
        long tenth =
                totalSteps <= EVERY_STEP_UP_TO
                        ? metrics.getStep()
                        : metrics.getStep() * 10 / totalSteps;
        if (tenth != lastPrintedTenth) {
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

    String line(AutoencoderTrainingMetrics m) {
        StringBuilder line = new StringBuilder();
        double fraction = Math.min(1.0, m.getStep() / (double) totalSteps);
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        line.append('[')
                .append("=".repeat(filled))
                .append(" ".repeat(BAR_WIDTH - filled))
                .append("] ");
        line.append(
                String.format(
                        Locale.ROOT,
                        "step %d/%d  pass %.2f  loss %.3f  error %.3f",
                        m.getStep(),
                        totalSteps,
                        m.getPasses(),
                        m.getTrainingLoss(),
                        m.getTrainingError()));
        if (m.getDamping() != null) {
            line.append(
                    String.format(
                            Locale.ROOT,
                            "  lambda %.3g  inner %d  rho %.2f",
                            m.getDamping(),
                            m.getInnerIterations(),
                            m.getReductionRatio()));
        }
        line.append(String.format(Locale.ROOT, "  %.0f samples/s", m.getSamplesPerSecond()));
        // The time left is extrapolated from the steps seen since the first record, so that
        // start-up does not count.
        if (firstStep < 0) {
            firstStep = m.getStep();
            firstStepNanos = System.nanoTime();
        } else if (m.getStep() > firstStep && m.getStep() < totalSteps) {
            double elapsed = (System.nanoTime() - firstStepNanos) / 1e9;
            double perStep = elapsed / (m.getStep() - firstStep);
            long remaining = (long) (perStep * (totalSteps - m.getStep()));
            line.append("  ETA ").append(ProgressDisplay.format(Duration.ofSeconds(remaining)));
        }
        if (m.getDeadLetters() > 0) {
            line.append("  dead letters ").append(m.getDeadLetters());
        }
        if (!m.getApplied() && m.getStep() > 0) {
            line.append("  (step not applied)");
        }
        return line.toString();
    }
}
