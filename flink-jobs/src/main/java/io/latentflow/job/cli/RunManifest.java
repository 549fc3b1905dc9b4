package io.latentflow.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.job.kafka.TopicNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What a run's {@code manifest.json} says that a replay needs: the run, its seed and configuration,
 * the topics and the offset range of its records on each, and the hashes it ended with.
 *
 * @param runId the recorded run
 * @param recordsRunId the run id its input records carry: its own, or for a replay the run it
 *     replayed
 * @param seed its seed
 * @param steps the steps it trained
 * @param configuration the model's hyperparameters, instance noise and batch size
 * @param topics the topics it read and wrote
 * @param data the partition of the data topic that holds the run's records
 * @param dataFrom the offset of the run's first data record on it
 * @param dataUntil the offset after its last
 * @param latent the partition of the latent topic that holds the run's draws
 * @param latentFrom the offset of its first latent draw on it
 * @param latentUntil the offset after its last
 * @param metricsInterval a metrics record every this many steps
 * @param snapshotInterval a snapshot every this many steps
 * @param imageInterval grids every this many steps
 * @param firstSequence the sequence number of the run's first example
 * @param bootstrapServers the cluster it ran on
 * @param parameterHash the hash of its final parameters
 * @param metricsHash the {@link MetricsHash} of its metrics records
 */
record RunManifest(
        String runId,
        String recordsRunId,
        long seed,
        long steps,
        Map<String, String> configuration,
        TopicNames topics,
        TopicPartition data,
        long dataFrom,
        long dataUntil,
        TopicPartition latent,
        long latentFrom,
        long latentUntil,
        int metricsInterval,
        int snapshotInterval,
        int imageInterval,
        long firstSequence,
        String bootstrapServers,
        String parameterHash,
        String metricsHash) {

    /** The topic names, by role, as the manifest records them. */
    static Map<String, String> describe(TopicNames topics) {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("data", topics.data());
        names.put("latent", topics.latent());
        names.put("metrics", topics.metrics());
        names.put("snapshots", topics.snapshots());
        names.put("images", topics.images());
        names.put("deadLetter", topics.deadLetter());
        return names;
    }

    /** The batch size the run trained with. */
    int batchSize() {
        return Integer.parseInt(configuration.get("batchSize"));
    }

    /** Reads a manifest; a field a replay needs that is missing is an error that names it. */
    static RunManifest read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        if (root == null) {
            throw new IOException(file + " is empty");
        }
        String model = root.hasNonNull("model") ? root.get("model").asText() : "";
        if (List.of("urnn", "lstm", "autoencoder").contains(model)) {
            throw new IOException(
                    file
                            + " is the record of a "
                            + model
                            + " run; replay reruns ALI and GAN runs only, so far");
        }
        JsonNode names = required(root, "topicNames", file);
        TopicNames topics =
                new TopicNames(
                        text(names, "data", file),
                        text(names, "latent", file),
                        text(names, "metrics", file),
                        text(names, "snapshots", file),
                        text(names, "images", file),
                        text(names, "deadLetter", file));
        JsonNode ranges = required(root, "topics", file);
        Range data = onlyRange(ranges, topics.data(), file);
        Range latent = onlyRange(ranges, topics.latent(), file);
        Map<String, String> configuration = new HashMap<>();
        required(root, "configuration", file)
                .fields()
                .forEachRemaining(
                        field -> configuration.put(field.getKey(), field.getValue().asText()));
        JsonNode trainer = required(root, "trainer", file);
        String runId = text(root, "runId", file);
        return new RunManifest(
                runId,
                root.hasNonNull("recordsRunId") ? root.get("recordsRunId").asText() : runId,
                required(root, "seed", file).asLong(),
                required(root, "steps", file).asLong(),
                configuration,
                topics,
                data.partition(),
                data.from(),
                data.until(),
                latent.partition(),
                latent.from(),
                latent.until(),
                required(trainer, "metricsInterval", file).asInt(),
                required(trainer, "snapshotInterval", file).asInt(),
                required(trainer, "imageInterval", file).asInt(),
                trainer.path("firstSequence").asLong(0),
                text(root, "bootstrapServers", file),
                text(root, "parameterHash", file),
                text(root, "metricsHash", file));
    }

    private record Range(TopicPartition partition, long from, long until) {}

    private static Range onlyRange(JsonNode ranges, String topic, Path file) throws IOException {
        JsonNode partitions = required(ranges, topic, file);
        Iterator<Map.Entry<String, JsonNode>> fields = partitions.fields();
        if (!fields.hasNext()) {
            throw new IOException(file + ": no offset range on topic " + topic);
        }
        Map.Entry<String, JsonNode> only = fields.next();
        if (fields.hasNext()) {
            throw new IOException(
                    file + ": the run's records on " + topic + " span several partitions");
        }
        int partition = Integer.parseInt(only.getKey().replace("partition ", "").strip());
        return new Range(
                new TopicPartition(topic, partition),
                required(only.getValue(), "from", file).asLong(),
                required(only.getValue(), "until", file).asLong());
    }

    private static JsonNode required(JsonNode node, String field, Path file) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IOException(file + " has no " + field + "; it cannot be replayed");
        }
        return value;
    }

    private static String text(JsonNode node, String field, Path file) throws IOException {
        return required(node, field, file).asText();
    }
}
