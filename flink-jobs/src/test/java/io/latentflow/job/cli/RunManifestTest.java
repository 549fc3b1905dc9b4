package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunManifestTest {
    /** A train manifest of run r1, also read by the command-line tests. */
    static final String MANIFEST =
            """
            {"runId": "r1", "seed": 7, "steps": 30,
             "configuration": {"batchSize": "20", "hiddenUnits": "64"},
             "bootstrapServers": "127.0.0.1:9092",
             "topics": {"p.data": {"partition 2": {"from": 40, "until": 640}},
                        "p.latent": {"partition 1": {"from": 0, "until": 600}}},
             "topicNames": {"data": "p.data", "latent": "p.latent", "metrics": "p.metrics",
                            "snapshots": "p.snapshots", "images": "p.images",
                            "deadLetter": "p.dead-letter"},
             "trainer": {"batchSize": 20, "metricsInterval": 5, "snapshotInterval": 0,
                         "imageInterval": 500, "firstSequence": 0},
             "parameterHash": "aa", "metricsHash": "bb"}
            """;

    @TempDir Path folder;

    @Test
    void aTrainManifestGivesTheRunsPartitionsRangesAndSettings() throws IOException {
        Path file = Files.writeString(folder.resolve("manifest.json"), MANIFEST);

        RunManifest manifest = RunManifest.read(file);

        assertEquals("r1", manifest.recordsRunId());
        assertEquals(new TopicPartition("p.data", 2), manifest.data());
        assertEquals(40, manifest.dataFrom());
        assertEquals(640, manifest.dataUntil());
        assertEquals(new TopicPartition("p.latent", 1), manifest.latent());
        assertEquals(20, manifest.batchSize());
        assertEquals(5, manifest.metricsInterval());
        assertEquals("p.dead-letter", manifest.topics().deadLetter());
    }

    @Test
    void aManifestWithoutTopicNamesSaysWhatIsMissing() throws IOException {
        Path file =
                Files.writeString(
                        folder.resolve("old.json"),
                        MANIFEST.replace("\"topicNames\"", "\"somethingElse\""));

        IOException failure = assertThrows(IOException.class, () -> RunManifest.read(file));

        assertTrue(failure.getMessage().contains("has no topicNames"), failure.getMessage());
    }
}
