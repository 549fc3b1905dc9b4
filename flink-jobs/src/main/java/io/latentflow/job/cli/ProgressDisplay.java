package io.latentflow.job.cli;

import io.latentflow.schema.AutoencoderTrainingMetrics;
import io.latentflow.schema.SequenceTrainingMetrics;
import io.latentflow.schema.TrainingMetrics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * The command line's progress line, for any of the three kinds of metrics record: a bar, the step,
 * the model's own quantities, throughput, the time left and the dead letters so far.
 *
 * <p>On a terminal it redraws one line; in a log (no console) it prints a line every tenth of the
 * run, and every step of a run of at most 50 steps (Hessian-free runs, whose steps are long) or of
 * a step that was not applied, so that CI output stays short and still shows what matters.
 *
 * @param <T> the metrics record
 */
final class ProgressDisplay<T> {
    private static final int BAR_WIDTH = 24;
    private static final long EVERY_STEP_UP_TO = 50;

    /** What the line reads from one kind of record. */
    interface Reading<T> {
        long step(T record);

        /** The model's own quantities, for example {@code L_D 0.693 L_G 0.701}. */
        String quantities(T record);

        double samplesPerSecond(T record);

        long deadLetters(T record);

        /** Why the step was not applied, or null if it was. */
        String notApplied(T record);

        /** A warning the record carries, printed on a line of its own, or null. */
        default String warning(T record) {
            return null;
        }
    }

    private final PrintWriter out;
    private final long totalSteps;
    private final boolean terminal;
    private final Reading<T> reading;
    private long firstStep = -1;
    private long firstStepNanos;
    private long lastPrintedTenth = -1;

    private ProgressDisplay(
            PrintWriter out, long totalSteps, boolean terminal, Reading<T> reading) {
        this.out = out;
        this.totalSteps = totalSteps;
        this.terminal = terminal;
        this.reading = reading;
    }

    /**
     * ALI's and the GAN's line: losses, D's accuracies, |grad G|, reconstruction, sigma, and for
     * Hessian-free steps each player's damping and reduction ratio.
     */
    static ProgressDisplay<TrainingMetrics> adversarial(
            PrintWriter out, long totalSteps, boolean terminal) {
        return new ProgressDisplay<>(out, totalSteps, terminal, new AdversarialReading());
    }

    /** The autoencoder's line: passes, loss and error, and a Hessian-free step's damping. */
    static ProgressDisplay<AutoencoderTrainingMetrics> autoencoder(
            PrintWriter out, long totalSteps, boolean terminal) {
        return new ProgressDisplay<>(out, totalSteps, terminal, new AutoencoderReading());
    }

    /** The uRNN's and the LSTM's line: loss against the task's baseline, accuracies, unitarity. */
    static ProgressDisplay<SequenceTrainingMetrics> recurrent(
            PrintWriter out, long totalSteps, boolean terminal) {
        return new ProgressDisplay<>(out, totalSteps, terminal, new RecurrentReading());
    }

    void show(T metrics) {
        String line = line(metrics);
        long step = reading.step(metrics);
        String warning = reading.warning(metrics);
        if (warning != null) {
            out.printf(
                    Locale.ROOT, "%sWarning at step %d: %s%n", terminal ? "\r" : "", step, warning);
        }
        if (terminal) {
            out.print("\r" + line);
            out.flush();
            return;
        }
        long tenth =
                totalSteps <= 0
                        ? step / 100
                        : totalSteps <= EVERY_STEP_UP_TO ? step : step * 10 / totalSteps;
        if (tenth != lastPrintedTenth || reading.notApplied(metrics) != null) {
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

    String line(T metrics) {
        long step = reading.step(metrics);
        StringBuilder line = new StringBuilder();
        if (totalSteps > 0) {
            double fraction = Math.min(1.0, step / (double) totalSteps);
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            line.append('[')
                    .append("=".repeat(filled))
                    .append(" ".repeat(BAR_WIDTH - filled))
                    .append("] ");
            line.append(String.format(Locale.ROOT, "step %d/%d", step, totalSteps));
        } else {
            line.append(String.format(Locale.ROOT, "step %d", step));
        }
        line.append("  ").append(reading.quantities(metrics));
        line.append(
                String.format(Locale.ROOT, "  %.0f samples/s", reading.samplesPerSecond(metrics)));
        // The time left is extrapolated from the steps seen since the first record, so that
        // start-up does not count as training time.
        if (firstStep < 0) {
            firstStep = step;
            firstStepNanos = System.nanoTime();
        } else if (totalSteps > 0 && step > firstStep && step < totalSteps) {
            double elapsed = (System.nanoTime() - firstStepNanos) / 1e9;
            double perStep = elapsed / (step - firstStep);
            long remaining = (long) (perStep * (totalSteps - step));
            line.append("  ETA ").append(format(Duration.ofSeconds(remaining)));
        }
        long deadLetters = reading.deadLetters(metrics);
        if (deadLetters > 0) {
            line.append("  dead letters ").append(deadLetters);
        }
        String notApplied = reading.notApplied(metrics);
        if (notApplied != null) {
            line.append("  (step not applied").append(notApplied).append(')');
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

    private static double orNaN(Double value) {
        return value == null ? Double.NaN : value;
    }

    private static final class AdversarialReading implements Reading<TrainingMetrics> {
        @Override
        public long step(TrainingMetrics m) {
            return m.getStep();
        }

        @Override
        public String quantities(TrainingMetrics m) {
            StringBuilder text =
                    new StringBuilder(
                            String.format(
                                    Locale.ROOT,
                                    "L_D %.3f  L_G %.3f  D acc %.2f/%.2f  |grad G| %.2g",
                                    m.getDiscriminatorLoss(),
                                    m.getGeneratorLoss(),
                                    m.getRealAccuracy(),
                                    m.getFakeAccuracy(),
                                    m.getGeneratorGradNorm()));
            if (!Double.isNaN(m.getReconstructionError())) {
                text.append(String.format(Locale.ROOT, "  recon %.4f", m.getReconstructionError()));
            }
            if (m.getInstanceNoiseSigma() > 0) {
                text.append(String.format(Locale.ROOT, "  sigma %.3f", m.getInstanceNoiseSigma()));
            }
            if (m.getDiscriminatorDamping() != null && m.getGeneratorDamping() != null) {
                text.append(
                        String.format(
                                Locale.ROOT,
                                "  lambda D/G %.3g/%.3g  rho D/G %.2f/%.2f",
                                m.getDiscriminatorDamping(),
                                m.getGeneratorDamping(),
                                orNaN(m.getDiscriminatorReductionRatio()),
                                orNaN(m.getGeneratorReductionRatio())));
            }
            return text.toString();
        }

        @Override
        public double samplesPerSecond(TrainingMetrics m) {
            return m.getSamplesPerSecond();
        }

        @Override
        public long deadLetters(TrainingMetrics m) {
            return m.getDeadLetters();
        }

        @Override
        public String notApplied(TrainingMetrics m) {
            return m.getApplied() ? null : ": non-finite loss";
        }

        @Override
        public String warning(TrainingMetrics m) {
            return m.getWarning() == null ? null : m.getWarning().toString();
        }
    }

    private static final class AutoencoderReading implements Reading<AutoencoderTrainingMetrics> {
        @Override
        public long step(AutoencoderTrainingMetrics m) {
            return m.getStep();
        }

        @Override
        public String quantities(AutoencoderTrainingMetrics m) {
            String text =
                    String.format(
                            Locale.ROOT,
                            "pass %.2f  loss %.3f  error %.3f",
                            m.getPasses(),
                            m.getTrainingLoss(),
                            m.getTrainingError());
            if (m.getDamping() == null) {
                return text;
            }
            return text
                    + String.format(
                            Locale.ROOT,
                            "  lambda %.3g  inner %d  rho %.2f",
                            m.getDamping(),
                            m.getInnerIterations(),
                            m.getReductionRatio());
        }

        @Override
        public double samplesPerSecond(AutoencoderTrainingMetrics m) {
            return m.getSamplesPerSecond();
        }

        @Override
        public long deadLetters(AutoencoderTrainingMetrics m) {
            return m.getDeadLetters();
        }

        @Override
        public String notApplied(AutoencoderTrainingMetrics m) {
            // Step 0 measures the untrained network and applies nothing by design.
            return m.getApplied() || m.getStep() == 0 ? null : "";
        }
    }

    private static final class RecurrentReading implements Reading<SequenceTrainingMetrics> {
        @Override
        public long step(SequenceTrainingMetrics m) {
            return m.getStep();
        }

        @Override
        public String quantities(SequenceTrainingMetrics m) {
            StringBuilder text =
                    new StringBuilder(
                            String.format(
                                    Locale.ROOT,
                                    "loss %.4f (baseline %.4f)",
                                    m.getLoss(),
                                    m.getBaselineLoss()));
            // Batch accuracy is NaN for adding, unitarity for the LSTM, test accuracy between
            // tests.
            if (Double.isFinite(m.getAccuracy())) {
                text.append(String.format(Locale.ROOT, "  accuracy %.3f", m.getAccuracy()));
            }
            if (m.getTestExamples() > 0 && Double.isFinite(m.getTestAccuracy())) {
                text.append(String.format(Locale.ROOT, "  test %.3f", m.getTestAccuracy()));
            }
            text.append(String.format(Locale.ROOT, "  |grad| %.2g", m.getGradientNorm()));
            if (Double.isFinite(m.getUnitarityDeviation())) {
                text.append(
                        String.format(
                                Locale.ROOT, "  |W^H W - I| %.1e", m.getUnitarityDeviation()));
            }
            if (m.getDamping() != null) {
                text.append(
                        String.format(
                                Locale.ROOT,
                                "  lambda %.3g  inner %d  rho %.2f",
                                m.getDamping(),
                                m.getInnerIterations(),
                                m.getReductionRatio()));
            }
            return text.toString();
        }

        @Override
        public double samplesPerSecond(SequenceTrainingMetrics m) {
            return m.getSamplesPerSecond();
        }

        @Override
        public long deadLetters(SequenceTrainingMetrics m) {
            return m.getDeadLetters();
        }

        @Override
        public String notApplied(SequenceTrainingMetrics m) {
            return m.getApplied() ? null : ": non-finite loss or gradient";
        }
    }
}
