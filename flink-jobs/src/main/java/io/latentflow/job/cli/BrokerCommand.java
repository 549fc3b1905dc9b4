package io.latentflow.job.cli;

import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the embedded single-node Kafka broker on its own, so that runs can outlive one another on
 * it: replay a recorded run, train continuously and append data, follow runs with the monitor.
 */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Run a single-node Kafka broker (KRaft, in this process) on a free loopback port until"
                    + " Ctrl-C, with LatentFlow's topics created; its address goes to"
                    + " --bootstrap-servers of the other commands.",
            "The broker's data lives in --dir and is deleted when it stops."
        })
final class BrokerCommand implements Callable<Integer> {
    @Option(
            names = "--dir",
            defaultValue = "runs/broker",
            description =
                    "Where the broker keeps its data; must be absent or empty (default:"
                            + " ${DEFAULT-VALUE}).")
    Path directory;

    @Option(
            names = "--topic-prefix",
            defaultValue = "latentflow",
            description = "Prefix of the topics to create (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Spec CommandSpec spec;

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(directory)) {
            // Ctrl-C ends the JVM without leaving the try block; close the broker on the way out.
            Thread closing = new Thread(() -> TrainCommand.closeQuietly(broker), "broker-stop");
            Runtime.getRuntime().addShutdownHook(closing);
            TopicAdministration.ensureTopics(
                    broker.bootstrapServers(), TopicNames.withPrefix(topicPrefix));
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                    "Kafka broker at "
                            + broker.bootstrapServers()
                            + ", data in "
                            + broker.dataDirectory()
                            + "; Ctrl-C stops it and deletes the data");
            out.flush();
            stopped.await();
            Runtime.getRuntime().removeShutdownHook(closing);
        }
        return 0;
    }

    /** Stops a broker started by {@link #call()} from another thread, as Ctrl-C would. */
    void stop() {
        stopped.countDown();
    }
}
