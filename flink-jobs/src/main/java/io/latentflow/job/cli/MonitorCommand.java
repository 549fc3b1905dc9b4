package io.latentflow.job.cli;

import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.monitor.LiveMonitor;
import io.latentflow.job.monitor.MetricsTopicFollower;
import io.latentflow.job.monitor.TerminalTable;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Follows runs live from the metrics topic: a web page with their curves, or a table in the
 * terminal.
 */
@Command(
        name = "monitor",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Follow training runs live from the metrics topic, on a web page served on this"
                    + " machine, or as a table in the terminal with --terminal.",
            "The page shows losses, discriminator accuracy, gradient norms (log scale),"
                    + " instance-noise sigma, the JSD estimate, reconstruction error (ALI),"
                    + " samples/s, dead letters, skipped steps and warnings, every run overlaid,"
                    + " with a step window and smoothing, and each run's latest sample and"
                    + " reconstruction grids."
        })
final class MonitorCommand implements Callable<Integer> {
    /** The port the page is served on unless told otherwise. */
    static final int DEFAULT_PORT = 8642;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "The Kafka cluster the runs write their metrics to (host:port,...).")
    String bootstrapServers;

    @Option(
            names = "--topic-prefix",
            defaultValue = "latentflow",
            description =
                    "Prefix of the topic names; the metrics topic is <prefix>.metrics and the"
                            + " sample grids' <prefix>.images (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(
            names = "--run-id",
            description = "A run to follow; repeat for several (default: every run on the topic).")
    List<String> runIds = List.of();

    @Option(
            names = "--from-end",
            description = "Show only records written from now on, not the topic's history.")
    boolean fromEnd;

    @Option(
            names = "--port",
            defaultValue = "" + DEFAULT_PORT,
            description = "Port of the page; 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            description =
                    "Address to serve the page on (default: ${DEFAULT-VALUE}, this machine only)."
                            + " Another address serves every client that can reach it, without"
                            + " any login: choose one only on a network you trust.")
    String bindAddress;

    @Option(
            names = "--terminal",
            description = "Show a table that updates in place in this terminal instead of a page.")
    boolean terminal;

    @Option(
            names = "--refresh-seconds",
            defaultValue = "2",
            description = "How often the terminal table is redrawn (default: ${DEFAULT-VALUE}).")
    double refreshSeconds;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0 to 65535, was " + port);
        }
        if (!(refreshSeconds > 0)) {
            throw new IllegalArgumentException(
                    "--refresh-seconds must be positive, was " + refreshSeconds);
        }
        TopicNames topics = TopicNames.withPrefix(topicPrefix);
        LiveMonitor.Source source =
                new LiveMonitor.Source(
                        bootstrapServers,
                        topics.metrics(),
                        fromEnd
                                ? MetricsTopicFollower.Start.END
                                : MetricsTopicFollower.Start.BEGINNING,
                        Map.of(),
                        new LinkedHashSet<>(runIds),
                        terminal ? null : topics.images());
        PrintWriter out = spec.commandLine().getOut();
        return terminal ? showTable(source, out) : servePage(source, out);
    }

    private int servePage(LiveMonitor.Source source, PrintWriter out) throws Exception {
        InetAddress address = InetAddress.getByName(bindAddress);
        try (LiveMonitor monitor = LiveMonitor.serve(source, address, port)) {
            out.printf("Monitoring %s at %s (Ctrl-C to stop)%n", source.topic(), monitor.url());
            out.flush();
            awaitShutdown(monitor);
        }
        return 0;
    }

    private int showTable(LiveMonitor.Source source, PrintWriter out) throws Exception {
        boolean inPlace = System.console() != null;
        long pauseMillis = Math.round(refreshSeconds * 1000);
        try (LiveMonitor monitor = LiveMonitor.followOnly(source)) {
            Runtime.getRuntime().addShutdownHook(new Thread(monitor::close, "monitor-stop"));
            String previous = "";
            while (!Thread.currentThread().isInterrupted()) {
                String table = TerminalTable.render(monitor.histories(), monitor.status(), inPlace);
                // Without a terminal to redraw, print a table only when something changed.
                if (inPlace || !table.equals(previous)) {
                    out.print(table);
                    if (!inPlace) {
                        out.println();
                    }
                    out.flush();
                    previous = table;
                }
                Thread.sleep(pauseMillis);
            }
        }
        return 0;
    }

    /** Holds the command until the JVM is asked to stop, then closes the monitor. */
    private static void awaitShutdown(LiveMonitor monitor) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    monitor.close();
                                    stopped.countDown();
                                },
                                "monitor-stop"));
        stopped.await();
    }
}
