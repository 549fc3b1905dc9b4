package io.latentflow.job.monitor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every point one run has reported, held as columns: the steps, and one column of values per {@link
 * MonitoredQuantity}, plus the warnings with the step each came at.
 *
 * <p>Steps are kept in increasing order. A point whose step is not after the last one, as when a
 * job restarts from a checkpoint and measures some steps again, replaces the points from that step
 * on. Not thread-safe: {@link RunHistories} guards it.
 */
public final class RunHistory {
    private static final int QUANTITIES = MonitoredQuantity.values().length;
    private static final int INITIAL_CAPACITY = 256;

    private final String runId;
    private String model = "";
    private String generatorCost = "";
    private long[] steps = new long[INITIAL_CAPACITY];
    private final double[][] columns = new double[QUANTITIES][INITIAL_CAPACITY];
    private int size;
    private final List<Warning> warnings = new ArrayList<>();
    private String lastWarning;

    /** A warning a run reported, and the step it reported it at. */
    public record Warning(long step, String text) {}

    /**
     * One series thinned for drawing.
     *
     * @param steps the kept points' steps
     * @param values the kept points' values, NaN where the run reported no finite value
     */
    public record Series(long[] steps, double[] values) {}

    /**
     * What a page needs to draw a run: its identity, how far it got, and each quantity's series.
     *
     * @param runId the run's name
     * @param model the model configuration name, for example {@code ali-mlp}
     * @param generatorCost the generator's cost, for example {@code non-saturating}
     * @param points how many points the run has reported in all
     * @param lastStep the last step reported, or -1 before any
     * @param series each quantity's series within the requested steps
     * @param warnings the run's warnings within the requested steps, the latest last
     */
    public record View(
            String runId,
            String model,
            String generatorCost,
            int points,
            long lastStep,
            Map<MonitoredQuantity, Series> series,
            List<Warning> warnings) {}

    RunHistory(String runId) {
        this.runId = runId;
    }

    /** Returns the run's name. */
    public String runId() {
        return runId;
    }

    /** Returns the number of points held. */
    public int size() {
        return size;
    }

    /** Returns the model configuration name the run reported last. */
    public String model() {
        return model;
    }

    /** Returns the last step held, or -1 when none is. */
    public long lastStep() {
        return size == 0 ? -1 : steps[size - 1];
    }

    /** Returns the step at a position. */
    public long stepAt(int position) {
        return steps[position];
    }

    /** Returns a quantity's value at a position. */
    public double valueAt(MonitoredQuantity quantity, int position) {
        return columns[quantity.ordinal()][position];
    }

    /** Returns the latest warning, or null if the run has reported none. */
    public String lastWarning() {
        return lastWarning;
    }

    /** Returns every warning held, the latest last. */
    public List<Warning> warnings() {
        return List.copyOf(warnings);
    }

    void describe(String model, String generatorCost) {
        this.model = model;
        this.generatorCost = generatorCost;
    }

    /**
     * Adds a point.
     *
     * @param step the training step it measured
     * @param values one value per quantity, in {@link MonitoredQuantity} order
     * @param warning the step's warning, or null
     */
    void add(long step, double[] values, String warning) {
        if (values.length != QUANTITIES) {
            throw new IllegalArgumentException(
                    "Expected " + QUANTITIES + " values, got " + values.length);
        }
        if (size > 0 && step <= steps[size - 1]) {
            truncateFrom(step);
        }
        if (size == steps.length) {
            grow();
        }
        steps[size] = step;
        for (int quantity = 0; quantity < QUANTITIES; quantity++) {
            columns[quantity][size] = values[quantity];
        }
        size++;
        if (warning != null) {
            warnings.add(new Warning(step, warning));
            lastWarning = warning;
        }
    }

    /**
     * Returns the points from a step on, each series thinned by {@link MinMaxDownsampling} to at
     * most {@code maxPoints} points.
     */
    View view(long fromStep, int maxPoints) {
        int from = firstPositionAtOrAfter(fromStep);
        Map<MonitoredQuantity, Series> series = new EnumMap<>(MonitoredQuantity.class);
        for (MonitoredQuantity quantity : MonitoredQuantity.values()) {
            double[] column = columns[quantity.ordinal()];
            int[] kept = MinMaxDownsampling.keptPositions(column, from, size, maxPoints);
            long[] keptSteps = new long[kept.length];
            double[] keptValues = new double[kept.length];
            for (int i = 0; i < kept.length; i++) {
                keptSteps[i] = steps[kept[i]];
                keptValues[i] = column[kept[i]];
            }
            series.put(quantity, new Series(keptSteps, keptValues));
        }
        List<Warning> recentWarnings =
                warnings.stream().filter(warning -> warning.step() >= fromStep).toList();
        return new View(runId, model, generatorCost, size, lastStep(), series, recentWarnings);
    }

    private int firstPositionAtOrAfter(long step) {
        int found = Arrays.binarySearch(steps, 0, size, step);
        return found >= 0 ? found : -found - 1;
    }

    private void truncateFrom(long step) {
        size = firstPositionAtOrAfter(step);
        warnings.removeIf(warning -> warning.step() >= step);
        lastWarning = warnings.isEmpty() ? null : warnings.get(warnings.size() - 1).text();
    }

    private void grow() {
        int capacity = steps.length * 2;
        steps = Arrays.copyOf(steps, capacity);
        for (int quantity = 0; quantity < QUANTITIES; quantity++) {
            columns[quantity] = Arrays.copyOf(columns[quantity], capacity);
        }
    }
}
