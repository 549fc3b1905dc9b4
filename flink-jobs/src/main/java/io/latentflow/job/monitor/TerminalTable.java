package io.latentflow.job.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The monitor for a terminal without a browser: one row per run with its latest values, redrawn in
 * place with ANSI escapes.
 */
public final class TerminalTable {
    /** Moves the cursor home and clears the screen below it. */
    private static final String REDRAW = "\u001b[H\u001b[J";

    private static final String HEADER =
            String.format(
                    Locale.ROOT,
                    "%-28s %-8s %8s %8s %8s %11s %10s %8s %7s %9s %5s",
                    "run",
                    "model",
                    "step",
                    "L_D",
                    "L_G",
                    "D acc r/g",
                    "|grad G|",
                    "sigma",
                    "JSD",
                    "samples/s",
                    "dead");

    private TerminalTable() {}

    /**
     * Returns the table: a status line, a header and a row per run, with the latest warning of each
     * run that has one below the rows.
     *
     * @param histories the runs
     * @param status the follower's status
     * @param inPlace whether to start with the escapes that redraw the screen in place
     */
    public static String render(RunHistories histories, FollowerStatus status, boolean inPlace) {
        StringBuilder table = new StringBuilder();
        if (inPlace) {
            table.append(REDRAW);
        }
        table.append(
                String.format(
                        Locale.ROOT,
                        "LatentFlow monitor: %s, topic %s, %d records read, %d others skipped%n",
                        status.state(),
                        status.topic(),
                        status.records(),
                        status.skipped()));
        table.append(HEADER).append(System.lineSeparator());
        List<String> warnings = new ArrayList<>();
        histories.read(
                run -> {
                    table.append(row(run)).append(System.lineSeparator());
                    if (run.lastWarning() != null) {
                        warnings.add(run.runId() + ": " + run.lastWarning());
                    }
                });
        if (histories.runCount() == 0) {
            table.append("(no runs yet)").append(System.lineSeparator());
        }
        for (String warning : warnings) {
            table.append("warning ").append(warning).append(System.lineSeparator());
        }
        return table.toString();
    }

    private static String row(RunHistory run) {
        int last = run.size() - 1;
        if (last < 0) {
            return String.format(Locale.ROOT, "%-28s (no points)", shorten(run.runId(), 28));
        }
        if (Double.isFinite(run.valueAt(MonitoredQuantity.SEQUENCE_LOSS, last))) {
            return sequenceRow(run, last);
        }
        if (Double.isFinite(run.valueAt(MonitoredQuantity.TRAINING_ERROR, last))) {
            return autoencoderRow(run, last);
        }
        return String.format(
                Locale.ROOT,
                "%-28s %-8s %8d %8.4f %8.4f %5.2f/%5.2f %10.3g %8.4f %7.4f %9.0f %5.0f",
                shorten(run.runId(), 28),
                shorten(run.model(), 8),
                run.stepAt(last),
                run.valueAt(MonitoredQuantity.DISCRIMINATOR_LOSS, last),
                run.valueAt(MonitoredQuantity.GENERATOR_LOSS, last),
                run.valueAt(MonitoredQuantity.REAL_ACCURACY, last),
                run.valueAt(MonitoredQuantity.FAKE_ACCURACY, last),
                run.valueAt(MonitoredQuantity.GENERATOR_GRAD_NORM, last),
                run.valueAt(MonitoredQuantity.INSTANCE_NOISE_SIGMA, last),
                run.valueAt(MonitoredQuantity.JSD_ESTIMATE, last),
                run.valueAt(MonitoredQuantity.SAMPLES_PER_SECOND, last),
                run.valueAt(MonitoredQuantity.DEAD_LETTERS, last));
    }

    /**
     * A recurrent run's row, which has none of the adversarial columns: its loss against the task's
     * baseline and its accuracies in their place, labelled.
     */
    private static String sequenceRow(RunHistory run, int last) {
        StringBuilder row =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%-28s %-8s %8d loss %.4f (baseline %.4f)",
                                shorten(run.runId(), 28),
                                shorten(run.model(), 8),
                                run.stepAt(last),
                                run.valueAt(MonitoredQuantity.SEQUENCE_LOSS, last),
                                run.valueAt(MonitoredQuantity.BASELINE_LOSS, last)));
        appendIfFinite(row, " accuracy %.3f", run.valueAt(MonitoredQuantity.BATCH_ACCURACY, last));
        appendIfFinite(row, " test %.3f", latestFinite(run, MonitoredQuantity.TEST_ACCURACY));
        appendIfFinite(
                row, " |W^H W - I| %.1e", run.valueAt(MonitoredQuantity.UNITARITY_DEVIATION, last));
        return appendThroughput(row, run, last);
    }

    /** An autoencoder run's row: its training error, and the damping of a Hessian-free step. */
    private static String autoencoderRow(RunHistory run, int last) {
        StringBuilder row =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%-28s %-8s %8d training error %.3f",
                                shorten(run.runId(), 28),
                                shorten(run.model(), 8),
                                run.stepAt(last),
                                run.valueAt(MonitoredQuantity.TRAINING_ERROR, last)));
        appendIfFinite(row, " damping %.3g", run.valueAt(MonitoredQuantity.DAMPING, last));
        return appendThroughput(row, run, last);
    }

    private static String appendThroughput(StringBuilder row, RunHistory run, int last) {
        return row.append(
                        String.format(
                                Locale.ROOT,
                                " samples/s %.0f dead %.0f",
                                run.valueAt(MonitoredQuantity.SAMPLES_PER_SECOND, last),
                                run.valueAt(MonitoredQuantity.DEAD_LETTERS, last)))
                .toString();
    }

    private static void appendIfFinite(StringBuilder row, String format, double value) {
        if (Double.isFinite(value)) {
            row.append(String.format(Locale.ROOT, format, value));
        }
    }

    /** The last finite value of a quantity measured only at some steps, NaN if none is. */
    private static double latestFinite(RunHistory run, MonitoredQuantity quantity) {
        for (int i = run.size() - 1; i >= 0; i--) {
            double value = run.valueAt(quantity, i);
            if (Double.isFinite(value)) {
                return value;
            }
        }
        return Double.NaN;
    }

    private static String shorten(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "~";
    }
}
