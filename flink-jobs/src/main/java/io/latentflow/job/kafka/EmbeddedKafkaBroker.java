package io.latentflow.job.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka cluster inside this JVM, for local runs and integration tests.
 *
 * <p>The node is broker and KRaft controller at once and listens on two free loopback ports.
 * Internal topics are created with replication factor 1, consumer groups start without the initial
 * rebalance delay, and topics are never created automatically, so that a misspelt topic name fails
 * instead of silently creating an empty topic. The metadata version is the latest production one.
 *
 * <p>It is built from Kafka's own server entry points: {@link Formatter} writes the storage format
 * that {@code kafka-storage.sh format} would write, and {@link KafkaRaftServer} is the server that
 * {@code kafka-server-start.sh} runs.
 *
 * <p>For tests of clients that lose their broker, {@link #stop()} shuts the node down and keeps its
 * files, and {@link #restart()} starts it again on the same ports from those files, as a restarted
 * server would come back.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String LOOPBACK = "127.0.0.1";

    /**
     * Another process can take a free port between our closing it and the broker binding it; a
     * second pair of ports nearly always succeeds.
     */
    private static final int START_ATTEMPTS = 3;

    private final Path dataDirectory;
    private final int brokerPort;
    private final int controllerPort;
    private final String bootstrapServers;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(
            Path dataDirectory, KafkaRaftServer server, int brokerPort, int controllerPort) {
        this.dataDirectory = dataDirectory;
        this.server = server;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.bootstrapServers = LOOPBACK + ":" + brokerPort;
    }

    /**
     * Formats storage under a directory and starts the broker on it; returns once the broker
     * accepts clients.
     *
     * @param dataDirectory where the broker keeps its logs and metadata; created if absent, must be
     *     empty otherwise, and is deleted by {@link #close()}
     * @return the running broker
     * @throws IOException if the directory cannot be used or the broker fails to start
     */
    public static EmbeddedKafkaBroker start(Path dataDirectory) throws IOException {
        Path directory = dataDirectory.toAbsolutePath();
        requireAbsentOrEmpty(directory);
        long startNanos = System.nanoTime();

        IOException lastFailure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Files.createDirectories(directory);
            int[] ports = freeLoopbackPorts(2);
            try {
                EmbeddedKafkaBroker broker = startOnPorts(directory, ports[0], ports[1]);
                LOG.info(
                        "Embedded Kafka broker started at {} in {} ms, data in {}",
                        broker.bootstrapServers,
                        (System.nanoTime() - startNanos) / 1_000_000,
                        directory);
                return broker;
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "Embedded Kafka broker failed to start on ports {} and {} (attempt {})",
                        ports[0],
                        ports[1],
                        attempt,
                        e);
                lastFailure =
                        new IOException(
                                "The embedded Kafka broker failed to start in " + directory, e);
                deleteRecursively(directory);
            }
        }
        throw lastFailure;
    }

    /** Returns the broker's address for clients' {@code bootstrap.servers}, as host:port. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Returns the directory that holds the broker's logs and metadata. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Returns whether the broker runs: started and neither stopped nor closed since. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * Shuts the broker down and waits until it has stopped, keeping its data directory for {@link
     * #restart()}. Clients see the broker go away. Does nothing if it is not running.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long startNanos = System.nanoTime();
        shutdown(server);
        server = null;
        LOG.info(
                "Embedded Kafka broker at {} stopped in {} ms, data kept in {}",
                bootstrapServers,
                (System.nanoTime() - startNanos) / 1_000_000,
                dataDirectory);
    }

    /**
     * Starts a stopped broker again on its ports and from its files, so that clients that knew it
     * find it again with the topics, records and offsets it held.
     *
     * @throws IllegalStateException if the broker runs or was closed
     * @throws IOException if it fails to start, for example because another process took a port
     */
    public synchronized void restart() throws IOException {
        if (closed || server != null) {
            throw new IllegalStateException(
                    "Only a stopped broker restarts; this one is "
                            + (closed ? "closed" : "running"));
        }
        long startNanos = System.nanoTime();
        server = launch(dataDirectory.resolve("log"), brokerPort, controllerPort);
        LOG.info(
                "Embedded Kafka broker restarted at {} in {} ms from {}",
                bootstrapServers,
                (System.nanoTime() - startNanos) / 1_000_000,
                dataDirectory);
    }

    /**
     * Shuts the broker down if it runs, waits until it has stopped and deletes its data directory.
     * A second call does nothing.
     *
     * @throws IOException if the data directory cannot be deleted
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        long startNanos = System.nanoTime();
        try {
            if (server != null) {
                shutdown(server);
                server = null;
            }
        } finally {
            deleteRecursively(dataDirectory);
        }
        LOG.info(
                "Embedded Kafka broker at {} stopped in {} ms, {} deleted",
                bootstrapServers,
                (System.nanoTime() - startNanos) / 1_000_000,
                dataDirectory);
    }

    private static EmbeddedKafkaBroker startOnPorts(
            Path directory, int brokerPort, int controllerPort) throws IOException {
        Path logDirectory = directory.resolve("log");
        Files.createDirectories(logDirectory);
        format(logDirectory);
        KafkaRaftServer server = launch(logDirectory, brokerPort, controllerPort);
        return new EmbeddedKafkaBroker(directory, server, brokerPort, controllerPort);
    }

    /** Starts a server on formatted storage; returns once it accepts clients. */
    private static KafkaRaftServer launch(Path logDirectory, int brokerPort, int controllerPort) {
        KafkaConfig config =
                new KafkaConfig(serverProperties(logDirectory, brokerPort, controllerPort));
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            // Returns when the broker has registered with the controller and been unfenced.
            server.startup();
        } catch (RuntimeException e) {
            shutdown(server);
            throw e;
        }
        return server;
    }

    private static void shutdown(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    private static Map<String, String> serverProperties(
            Path logDirectory, int brokerPort, int controllerPort) {
        Map<String, String> properties = new HashMap<>();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", Integer.toString(NODE_ID));
        properties.put("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
        properties.put(
                "listeners",
                BROKER_LISTENER
                        + "://"
                        + LOOPBACK
                        + ":"
                        + brokerPort
                        + ","
                        + CONTROLLER_LISTENER
                        + "://"
                        + LOOPBACK
                        + ":"
                        + controllerPort);
        properties.put(
                "advertised.listeners", BROKER_LISTENER + "://" + LOOPBACK + ":" + brokerPort);
        properties.put("controller.listener.names", CONTROLLER_LISTENER);
        properties.put("inter.broker.listener.name", BROKER_LISTENER);
        properties.put(
                "listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        properties.put("log.dirs", logDirectory.toString());
        properties.put("metadata.log.dir", logDirectory.toString());

        // One node cannot hold three replicas, the default for internal topics.
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        // Fifty partitions per internal topic, the default, only slow the first group and the
        // first transaction down on a one-node cluster.
        properties.put("offsets.topic.num.partitions", "1");
        properties.put("transaction.state.log.num.partitions", "1");
        properties.put("group.initial.rebalance.delay.ms", "0");
        properties.put("auto.create.topics.enable", "false");
        return properties;
    }

    /** Writes meta.properties and the bootstrap metadata, as {@code kafka-storage.sh format}. */
    private static void format(Path logDirectory) throws IOException {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        try (PrintStream reportStream = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(reportStream)
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(logDirectory.toString())
                    .setMetadataLogDirectory(logDirectory.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IOException("Formatting Kafka storage in " + logDirectory + " failed", e);
        }
        LOG.debug("Formatted Kafka storage: {}", report.toString(StandardCharsets.UTF_8).strip());
    }

    /** Returns distinct free ports, holding all open at once so that none is returned twice. */
    private static int[] freeLoopbackPorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 0, InetAddress.getByName(LOOPBACK));
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    private static void requireAbsentOrEmpty(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        if (!Files.isDirectory(directory)) {
            throw new IOException(directory + " is not a directory");
        }
        // close() deletes the whole directory, so it must not hold anything of someone else's.
        try (Stream<Path> entries = Files.list(directory)) {
            if (entries.findAny().isPresent()) {
                throw new IOException(
                        "The broker's data directory must be empty or absent: " + directory);
            }
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(EmbeddedKafkaBroker::delete);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
