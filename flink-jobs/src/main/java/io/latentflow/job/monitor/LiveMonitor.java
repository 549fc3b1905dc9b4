package io.latentflow.job.monitor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * A monitor at work: a follower reading the metrics topic into run histories on its own thread,
 * and, when asked for, the web server that shows them.
 */
public final class LiveMonitor implements AutoCloseable {
    private final MetricsTopicFollower follower;
    private final MonitorServer server;

    private LiveMonitor(MetricsTopicFollower follower, MonitorServer server) {
        this.follower = follower;
        this.server = server;
    }

    /**
     * Where and what to follow.
     *
     * @param bootstrapServers the Kafka cluster
     * @param topic the metrics topic
     * @param start where to start in partitions that {@code startOffsets} does not name
     * @param startOffsets offsets to start at, per partition
     * @param runIds the runs to show; empty shows every run
     */
    public record Source(
            String bootstrapServers,
            String topic,
            MetricsTopicFollower.Start start,
            Map<TopicPartition, Long> startOffsets,
            Set<String> runIds) {}

    /** Starts following the topic without serving a page, for the terminal table and plots. */
    public static LiveMonitor followOnly(Source source) {
        LiveMonitor monitor = new LiveMonitor(follower(source, new RunHistories()), null);
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
        MetricsTopicFollower follower = follower(source, histories);
        MonitorServer server;
        try {
            server = MonitorServer.start(bindAddress, port, histories, follower::status);
        } catch (IOException | RuntimeException e) {
            follower.close();
            throw e;
        }
        follower.addStatusListener(server::statusChanged);
        follower.startInBackground();
        return new LiveMonitor(follower, server);
    }

    private static MetricsTopicFollower follower(Source source, RunHistories histories) {
        return new MetricsTopicFollower(
                source.bootstrapServers(),
                source.topic(),
                source.start(),
                source.startOffsets(),
                source.runIds(),
                histories);
    }

    /** Returns the histories the follower fills. */
    public RunHistories histories() {
        return follower.histories();
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
