package io.latentflow.job.monitor;

import io.latentflow.schema.AutoencoderTrainingMetrics;
import io.latentflow.schema.SequenceTrainingMetrics;
import io.latentflow.schema.TrainingMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The monitor's memory: the history of every run it follows, in the order the runs first appeared,
 * and a sequence number that counts the points added so far.
 *
 * <p>The sequence number lets a page that loaded a snapshot of the history and also receives new
 * points as they arrive tell which of those points the snapshot already held. Thread-safe: the
 * topic follower adds while web requests read.
 */
public final class RunHistories {

    /**
     * A point as it was added.
     *
     * @param sequence the number of points added before it, plus one
     * @param runId the run that reported it
     * @param model the run's model configuration name
     * @param step the step it measured
     * @param values one value per quantity, in {@link MonitoredQuantity} order
     * @param warning the step's warning, or null
     */
    public record Point(
            long sequence,
            String runId,
            String model,
            long step,
            double[] values,
            String warning) {}

    /**
     * The history at one moment.
     *
     * @param sequence the sequence number of the last point it includes
     * @param runs each run's view, in the order the runs appeared
     */
    public record Snapshot(long sequence, List<RunHistory.View> runs) {}

    private static final MonitoredQuantity[] QUANTITIES = MonitoredQuantity.values();

    private final Map<String, RunHistory> runs = new LinkedHashMap<>();
    private final List<Consumer<Point>> listeners = new ArrayList<>();
    private long sequence;

    /** Calls a listener with every point added from now on, on the adding thread. */
    public synchronized void addListener(Consumer<Point> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Adds the point an adversarial metrics record reports. */
    public void add(TrainingMetrics metrics) {
        double[] values = new double[QUANTITIES.length];
        for (MonitoredQuantity quantity : QUANTITIES) {
            values[quantity.ordinal()] = quantity.valueOf(metrics);
        }
        String warning = metrics.getWarning() == null ? null : metrics.getWarning().toString();
        add(
                metrics.getRunId().toString(),
                metrics.getModel().toString(),
                metrics.getGeneratorCost().toString(),
                metrics.getStep(),
                values,
                warning);
    }

    /** Adds the point a recurrent model's metrics record reports. */
    public void add(SequenceTrainingMetrics metrics) {
        double[] values = new double[QUANTITIES.length];
        for (MonitoredQuantity quantity : QUANTITIES) {
            values[quantity.ordinal()] = quantity.valueOf(metrics);
        }
        add(
                metrics.getRunId().toString(),
                metrics.getModel().toString(),
                "",
                metrics.getStep(),
                values,
                null);
    }

    /** Adds the point an autoencoder metrics record reports. */
    public void add(AutoencoderTrainingMetrics metrics) {
        double[] values = new double[QUANTITIES.length];
        for (MonitoredQuantity quantity : QUANTITIES) {
            values[quantity.ordinal()] = quantity.valueOf(metrics);
        }
        add(
                metrics.getRunId().toString(),
                metrics.getModel().toString(),
                "",
                metrics.getStep(),
                values,
                null);
    }

    /**
     * Adds a point.
     *
     * @param runId the run that reported it
     * @param model the run's model configuration name
     * @param generatorCost the run's generator cost
     * @param step the step it measured
     * @param values one value per quantity, in {@link MonitoredQuantity} order
     * @param warning the step's warning, or null
     */
    public synchronized void add(
            String runId,
            String model,
            String generatorCost,
            long step,
            double[] values,
            String warning) {
        RunHistory history = runs.computeIfAbsent(runId, RunHistory::new);
        history.describe(model, generatorCost);
        history.add(step, values.clone(), warning);
        sequence++;
        Point point = new Point(sequence, runId, model, step, values.clone(), warning);
        for (Consumer<Point> listener : listeners) {
            listener.accept(point);
        }
    }

    /** Returns the number of points added so far. */
    public synchronized long sequence() {
        return sequence;
    }

    /** Returns the number of runs seen. */
    public synchronized int runCount() {
        return runs.size();
    }

    /** Returns the names of the runs seen, in the order they appeared. */
    public synchronized List<String> runIds() {
        return List.copyOf(runs.keySet());
    }

    /**
     * Returns every run's points from a step on, each series thinned to at most {@code maxPoints}
     * points.
     */
    public synchronized Snapshot snapshot(long fromStep, int maxPoints) {
        List<RunHistory.View> views = new ArrayList<>();
        for (RunHistory history : runs.values()) {
            views.add(history.view(fromStep, maxPoints));
        }
        return new Snapshot(sequence, views);
    }

    /**
     * Calls {@code reader} with each run's history while no point can be added; the histories must
     * not escape the call.
     */
    public synchronized void read(Consumer<RunHistory> reader) {
        runs.values().forEach(reader);
    }
}
