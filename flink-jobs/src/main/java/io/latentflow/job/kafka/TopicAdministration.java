package io.latentflow.job.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates LatentFlow's topics and reads where they end, through Kafka's admin client. */
public final class TopicAdministration {

    /**
     * The largest record the snapshot topic accepts, 64 MiB. The trainer writes snapshots in pieces
     * of at most 512 KiB, which fit the broker's default of 1 MB; the higher limit is for a
     * producer that writes a whole snapshot (about 25 MB) in one record, which must raise its own
     * {@code max.request.size} to match.
     */
    public static final int SNAPSHOT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    /**
     * The largest record the images topic accepts, 8 MiB. A grid of 100 Fashion-MNIST samples at
     * twice their size is a PNG of a few hundred kilobytes at most (582 x 582 gray pixels, 339 kB
     * uncompressed), within the broker's default of 1 MB; the margin serves larger images.
     */
    public static final int IMAGES_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(TopicAdministration.class);

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TopicAdministration() {}

    /**
     * Creates whichever of the topics do not exist yet, with one partition and replication factor
     * 1, the layout of a single-node cluster such as the {@link EmbeddedKafkaBroker}.
     *
     * @param bootstrapServers the cluster to create the topics on
     * @param names the topics to create
     */
    public static void ensureTopics(String bootstrapServers, TopicNames names) {
        ensureTopics(bootstrapServers, names, 1, (short) 1);
    }

    /**
     * Creates whichever of the topics do not exist yet. Topics that exist are left as they are,
     * whatever their partitions or configuration.
     *
     * @param bootstrapServers the cluster to create the topics on
     * @param names the topics to create
     * @param partitions the number of partitions of each new topic
     * @param replicationFactor the replication factor of each new topic
     */
    public static void ensureTopics(
            String bootstrapServers, TopicNames names, int partitions, short replicationFactor) {
        Objects.requireNonNull(names, "names");
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException(
                    "Partitions and replication factor must be at least 1, were "
                            + partitions
                            + " and "
                            + replicationFactor);
        }

        try (Admin admin = Admin.create(adminProperties(bootstrapServers))) {
            Set<String> existing = await(bootstrapServers, admin.listTopics().names());
            List<NewTopic> missing = new ArrayList<>();
            for (String name : names.all()) {
                if (existing.contains(name)) {
                    LOG.info("Topic {} exists on {}; left as it is", name, bootstrapServers);
                } else {
                    missing.add(newTopic(name, names, partitions, replicationFactor));
                }
            }
            if (!missing.isEmpty()) {
                create(admin, missing, bootstrapServers);
                awaitLeaders(admin, missing, bootstrapServers);
            }
        }
    }

    /**
     * Waits until the leader of every partition of new topics answers for it. A producer that
     * writes before then meets NotLeaderOrFollower, and its idempotent retries were seen to end in
     * OutOfOrderSequence errors until the delivery timeout.
     */
    private static void awaitLeaders(Admin admin, List<NewTopic> topics, String bootstrapServers) {
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        for (NewTopic topic : topics) {
            for (int partition = 0; partition < topic.numPartitions(); partition++) {
                request.put(new TopicPartition(topic.name(), partition), OffsetSpec.latest());
            }
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                // ListOffsets is served by each partition's leader only.
                admin.listOffsets(request).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException(
                            "Kafka at "
                                    + bootstrapServers
                                    + ": no leader answered for the new topics within "
                                    + TIMEOUT,
                            e);
                }
                LOG.debug("Leaders of the new topics not ready yet: {}", e.getMessage());
            } catch (InterruptedException e) {
                throw new InterruptException(e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new InterruptException(e);
            }
        }
    }

    /**
     * Returns the end offset (the high watermark) of every partition of a topic: the offset the
     * next record written to it will get.
     *
     * @param bootstrapServers the cluster the topic is on
     * @param topic the topic to look up
     * @return the end offset of each partition, ordered by partition
     */
    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic) {
        Objects.requireNonNull(topic, "topic");
        try (Admin admin = Admin.create(adminProperties(bootstrapServers))) {
            TopicDescription description =
                    await(bootstrapServers, admin.describeTopics(List.of(topic)).allTopicNames())
                            .get(topic);
            Map<TopicPartition, OffsetSpec> request =
                    description.partitions().stream()
                            .map(partition -> new TopicPartition(topic, partition.partition()))
                            .collect(
                                    Collectors.toMap(
                                            Function.identity(), p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResultInfo> offsets =
                    await(bootstrapServers, admin.listOffsets(request).all());

            // Ordered by partition, and serializable: Flink jobs carry these maps in their graph.
            Map<TopicPartition, Long> endOffsets = new LinkedHashMap<>();
            offsets.entrySet().stream()
                    .sorted(Comparator.comparingInt(entry -> entry.getKey().partition()))
                    .forEach(entry -> endOffsets.put(entry.getKey(), entry.getValue().offset()));
            return endOffsets;
        }
    }

    /**
     * Returns the offset of the first record on a partition whose timestamp is at or after {@code
     * timestampMillis}, or -1 if every record is older.
     *
     * @param bootstrapServers the cluster the partition is on
     * @param partition the partition to look up
     * @param timestampMillis a record timestamp, milliseconds since the epoch
     */
    public static long offsetForTimestamp(
            String bootstrapServers, TopicPartition partition, long timestampMillis) {
        Objects.requireNonNull(partition, "partition");
        try (Admin admin = Admin.create(adminProperties(bootstrapServers))) {
            ListOffsetsResultInfo found =
                    await(
                                    bootstrapServers,
                                    admin.listOffsets(
                                                    Map.of(
                                                            partition,
                                                            OffsetSpec.forTimestamp(
                                                                    timestampMillis)))
                                            .all())
                            .get(partition);
            return found == null ? -1 : found.offset();
        }
    }

    private static NewTopic newTopic(
            String name, TopicNames names, int partitions, short replicationFactor) {
        NewTopic topic = new NewTopic(name, partitions, replicationFactor);
        if (name.equals(names.snapshots())) {
            topic.configs(
                    Map.of(
                            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                            Integer.toString(SNAPSHOT_MAX_MESSAGE_BYTES)));
        } else if (name.equals(names.images())) {
            topic.configs(
                    Map.of(
                            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                            Integer.toString(IMAGES_MAX_MESSAGE_BYTES)));
        }
        return topic;
    }

    private static void create(Admin admin, List<NewTopic> topics, String bootstrapServers) {
        CreateTopicsResult result = admin.createTopics(topics);
        for (Map.Entry<String, KafkaFuture<Void>> entry : result.values().entrySet()) {
            try {
                await(bootstrapServers, entry.getValue());
                LOG.info("Created topic {} on {}", entry.getKey(), bootstrapServers);
            } catch (KafkaException e) {
                // Another process may have created the topic between our listing and creating it.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                LOG.info(
                        "Topic {} was created concurrently on {}",
                        entry.getKey(),
                        bootstrapServers);
            }
        }
    }

    private static Properties adminProperties(String bootstrapServers) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "latentflow-topic-administration");
        return properties;
    }

    /**
     * Waits for an admin request, turning its checked failures into Kafka's unchecked exceptions
     * with the cause kept.
     */
    private static <T> T await(String bootstrapServers, KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        } catch (ExecutionException e) {
            throw new KafkaException(
                    "Kafka at " + bootstrapServers + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException(
                    "No answer from Kafka at " + bootstrapServers + " within " + TIMEOUT, e);
        }
    }
}
