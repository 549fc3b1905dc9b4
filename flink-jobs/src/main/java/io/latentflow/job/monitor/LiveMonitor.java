package io.latentflow.job.monitor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * A monitor at work: a follower reading the metrics topic into run histories (and the images topic
 * into the latest grids) on its own thread, and, when asked for, the web server that shows them.
 */
public final class LiveMonitor implements AutoCloseable {
    private final MetricsTopicFollower follower;
    private final MonitorServer server;
    private final GridImages grids;

    private LiveMonitor(MetricsTopicFollower follower, MonitorServer server, GridImages grids) {
        this.follower = follower;
        this.server = server;
        this.grids = grids;
    }

    /**
     * Where and what to follow.
     *
     * @param bootstrapServers the Kafka cluster
     * @param topic the metrics topic
     * @param start where to start in partitions that {@code startOffsets} does not name
     * @param startOffsets offsets to start at, per partition
     * @param runIds the runs to show; empty shows every run
     * @param imagesTopic the topic of the runs' sample grids, or null to show no grids
     */
    public record Source(
            String bootstrapServers,
            String topic,
            MetricsTopicFollower.Start start,
            Map<TopicPartition, Long> startOffsets,
            Set<String> runIds,
            String imagesTopic) {

        /** A source without grids. */
        public Source(
                String bootstrapServers,
                String topic,
                MetricsTopicFollower.Start start,
                Map<TopicPartition, Long> startOffsets,
                Set<String> runIds) {
            this(bootstrapServers, topic, start, startOffsets, runIds, null);
        }
    }

    /** Starts following the topic without serving a page, for the terminal table and plots. */
    public static LiveMonitor followOnly(Source source) {
        GridImages grids = new GridImages();
        LiveMonitor monitor =
                new LiveMonitor(follower(source, new RunHistories(), grids), null, grids);
        monitor.follower.startInBackground();
        return monitor;
    }

    /**
     * Starts following the topic and serving the page.
     *
     * @param source what to follow
     * @param bindAddress the address the server listens on
     * @param port the server's port, 0 for any free one
     * @throws IOException if the server cannot listen there
     */
    public static LiveMonitor serve(Source source, InetAddress bindAddress, int port)
            throws IOException {
        RunHistories histories = new RunHistories();
        GridImages grids = new GridImages();
        MetricsTopicFollower follower = follower(source, histories, grids);
        MonitorServer server;
        try {
            server = MonitorServer.start(bindAddress, port, histories, grids, follower::status);
        } catch (IOException | RuntimeException e) {
            follower.close();
            throw e;
        }
        follower.addStatusListener(server::statusChanged);
        follower.startInBackground();
        return new LiveMonitor(follower, server, grids);
    }

    private static MetricsTopicFollower follower(
            Source source, RunHistories histories, GridImages grids) {
        return new MetricsTopicFollower(
                source.bootstrapServers(),
                source.topic(),
                source.start(),
                source.startOffsets(),
                source.runIds(),
                histories,
                source.imagesTopic(),
                source.imagesTopic() == null ? null : grids);
    }

    /** Returns the histories the follower fills. */
    public RunHistories histories() {
        return follower.histories();
    }

    /** Returns the latest grids the follower read; empty for a source without grids. */
    public GridImages grids() {
        return grids;
    }

    /** Returns the follower's status. */
    public FollowerStatus status() {
        return follower.status();
    }

    /** Returns the page's address; only for a monitor that serves one. */
    public URI url() {
        if (server == null) {
            throw new IllegalStateException("This monitor serves no page");
        }
        return server.url();
    }

    @Override
    public void close() {
        follower.close();
        if (server != null) {
            server.close();
        }
    }
}
