package io.latentflow.job.cli;

import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The Kafka cluster a command's run talks to: the one the user named with {@code
 * --bootstrap-servers}, or else a single-node broker embedded in this process, its files under the
 * run folder, that lives exactly as long as the run (a shutdown hook stops it on Ctrl-C, which
 * never reaches a finally block).
 */
final class BrokerForRun {

    /** What runs against the cluster. */
    @FunctionalInterface
    interface Work {
        int run(String bootstrapServers) throws Exception;
    }

    private BrokerForRun() {}

    /**
     * Runs {@code work} against {@code bootstrapServers}, or against an embedded broker started for
     * it under {@code folder/kafka} when that is null, and returns the work's exit code.
     */
    static int run(String bootstrapServers, Path folder, PrintWriter out, Work work)
            throws Exception {
        if (bootstrapServers != null) {
            return work.run(bootstrapServers);
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(folder.resolve("kafka"))) {
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(() -> TrainCommand.closeQuietly(broker), "broker-stop"));
            out.println("Started an embedded Kafka broker at " + broker.bootstrapServers());
            return work.run(broker.bootstrapServers());
        }
    }
}
