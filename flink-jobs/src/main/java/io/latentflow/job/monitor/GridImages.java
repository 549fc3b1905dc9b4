package io.latentflow.job.monitor;

import io.latentflow.schema.SampleGrid;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The latest sample and reconstruction grid of every run the monitor follows, as PNG bytes ready to
 * serve. Thread-safe: the topic follower adds while web requests read.
 *
 * <p>The grid read last replaces the one held, whatever its step, so that a run restarted under the
 * same id shows its new pictures at once, as the charts do.
 */
public final class GridImages {

    /**
     * One grid as the page sees it.
     *
     * @param runId the run it shows
     * @param kind {@code samples} or {@code reconstructions}
     * @param step the step it was drawn after
     * @param width its width in pixels
     * @param height its height in pixels
     * @param png the PNG file's bytes
     */
    public record Grid(String runId, String kind, long step, int width, int height, byte[] png) {}

    private final Map<String, Grid> latest = new LinkedHashMap<>();
    private final List<Consumer<Grid>> listeners = new CopyOnWriteArrayList<>();
    private long received;

    /** Calls a listener with every grid added from now on, on the adding thread. */
    public void addListener(Consumer<Grid> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Keeps a grid record as its run's latest of its kind. */
    public void add(SampleGrid record) {
        ByteBuffer bytes = record.getPng().duplicate();
        byte[] png = new byte[bytes.remaining()];
        bytes.get(png);
        Grid grid =
                new Grid(
                        record.getRunId(),
                        kindName(record.getKind()),
                        record.getStep(),
                        record.getPixelWidth(),
                        record.getPixelHeight(),
                        png);
        synchronized (this) {
            latest.put(key(grid.runId(), grid.kind()), grid);
            received++;
        }
        for (Consumer<Grid> listener : listeners) {
            listener.accept(grid);
        }
    }

    /** Returns the latest grid of a run and kind, if one arrived. */
    public synchronized Optional<Grid> latest(String runId, String kind) {
        return Optional.ofNullable(latest.get(key(runId, kind)));
    }

    /** Returns every run's latest grids, in the order they first arrived. */
    public synchronized List<Grid> all() {
        return new ArrayList<>(latest.values());
    }

    /** Returns the number of grid records added so far. */
    public synchronized long received() {
        return received;
    }

    /** The kind's name in paths and JSON: {@code samples} or {@code reconstructions}. */
    static String kindName(Enum<?> kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static String key(String runId, String kind) {
        return runId + "\u0000" + kind;
    }
}
