package io.latentflow.core.diagnostics;

import java.io.Serializable;

/** The mean and variance of the last few values of a series, such as a gradient norm per step. */
public final class SlidingWindow implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] values;
    private int count;
    private int next;

    /**
     * @param size how many of the latest values the window holds, at least 1
     */
    public SlidingWindow(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a window holds at least 1 value, not " + size);
        }
        this.values = new double[size];
    }

    /** Adds a value, dropping the oldest one when the window is full. */
    public void add(double value) {
        values[next] = value;
        next = (next + 1) % values.length;
        count = Math.min(count + 1, values.length);
    }

    /** Returns how many values the window holds now. */
    public int count() {
        return count;
    }

    /** Returns whether the window holds as many values as its size. */
    public boolean full() {
        return count == values.length;
    }

    /** Returns the mean of the values held, or NaN when there are none. */
    public double mean() {
        if (count == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += values[i];
        }
        return sum / count;
    }

    /**
     * Returns the population variance (dividing by the count) of the values held, or NaN when there
     * are none; two passes, so that large means do not cancel small spreads.
     */
    public double variance() {
        if (count == 0) {
            return Double.NaN;
        }
        double mean = mean();
        double sum = 0;
        for (int i = 0; i < count; i++) {
            double deviation = values[i] - mean;
            sum += deviation * deviation;
        }
        return sum / count;
    }
}
