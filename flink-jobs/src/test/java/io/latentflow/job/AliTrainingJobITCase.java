package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming ALI job end to end: a real KRaft broker, real Fashion-MNIST images on the data
 * topic, seeded latent draws on the latent topic, and the Flink job in a MiniCluster.
 */
class AliTrainingJobITCase {
    private static final long STEPS = 60;

    @TempDir static Path brokerDirectory;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start(brokerDirectory.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void metricsOfEveryTenthStepArriveWithFiniteValuesAndAdvancingOffsets() throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("metrics-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        PipelineFixture.produceRun(bootstrap, topics, "run-a", 7, STEPS);

        PipelineFixture.runJob(
                bootstrap, topics, "run-a", PipelineFixture.trainer(STEPS, 10), null, null);

        List<TrainingMetrics> metrics =
                PipelineFixture.readAll(
                        bootstrap,
                        topics.metrics(),
                        unchecked(TrainingMetrics.getDecoder()::decode));
        assertEquals(
                List.of(1L, 10L, 20L, 30L, 40L, 50L, 60L),
                metrics.stream().map(TrainingMetrics::getStep).toList());
        long previousDataOffset = -1;
        for (TrainingMetrics m : metrics) {
            assertEquals("run-a", m.getRunId());
            assertEquals(7, m.getSeed());
            assertTrue(m.getApplied(), "step " + m.getStep() + " was not applied");
            for (double value :
                    new double[] {
                        m.getDiscriminatorLoss(),
                        m.getGeneratorLoss(),
                        m.getMeanRealScore(),
                        m.getMeanFakeScore(),
                        m.getDiscriminatorGradNorm(),
                        m.getGeneratorGradNorm(),
                        m.getEncoderGradNorm(),
                        m.getReconstructionError()
                    }) {
                assertTrue(Double.isFinite(value), "non-finite value in " + m);
            }
            assertTrue(m.getDataOffset() > previousDataOffset, "data offset did not advance");
            assertEquals(m.getStep() * PipelineFixture.BATCH_SIZE - 1, m.getDataOffset());
            assertEquals(m.getStep() * PipelineFixture.BATCH_SIZE - 1, m.getLatentOffset());
            previousDataOffset = m.getDataOffset();
        }
        assertEquals(0, metrics.get(metrics.size() - 1).getDeadLetters());
    }

    @Test
    void sameSeedAndTopicsGiveTheSameParametersAndAnotherSeedDoesNot() throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("determinism-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        long steps = 20;
        PipelineFixture.produceRun(bootstrap, topics, "replayed", 11, steps);

        PipelineFixture.runJob(
                bootstrap, topics, "replayed", PipelineFixture.trainer(steps, 10), null, null);
        PipelineFixture.runJob(
                bootstrap, topics, "replayed", PipelineFixture.trainer(steps, 10), null, null);

        Map<TopicPartition, Long> dataEnd =
                TopicAdministration.endOffsets(bootstrap, topics.data());
        Map<TopicPartition, Long> latentEnd =
                TopicAdministration.endOffsets(bootstrap, topics.latent());
        PipelineFixture.produceRun(bootstrap, topics, "other-seed", 12, steps);
        PipelineFixture.runJob(
                bootstrap,
                topics,
                "other-seed",
                PipelineFixture.trainer(steps, 10),
                dataEnd,
                latentEnd);

        List<ModelSnapshot> snapshots =
                PipelineFixture.readSnapshots(bootstrap, topics.snapshots());
        assertEquals(3, snapshots.size());
        assertEquals(
                List.of(steps, steps, steps),
                snapshots.stream().map(ModelSnapshot::getStep).toList());
        assertEquals("replayed", snapshots.get(0).getRunId());
        assertEquals("replayed", snapshots.get(1).getRunId());
        assertEquals("other-seed", snapshots.get(2).getRunId());
        assertEquals(snapshots.get(0).getParameterHash(), snapshots.get(1).getParameterHash());
        assertEquals(snapshots.get(0).getNetworks(), snapshots.get(1).getNetworks());
        assertNotEquals(snapshots.get(0).getParameterHash(), snapshots.get(2).getParameterHash());
    }

    @Test
    void oneJobTrainsTwoRunsAsIfEachWereAlone() throws Exception {
        String bootstrap = broker.bootstrapServers();
        long steps = 10;
        TopicNames shared = TopicNames.withPrefix("two-runs-test");
        TopicAdministration.ensureTopics(bootstrap, shared);
        PipelineFixture.produceRun(bootstrap, shared, "run-x", 21, steps);
        PipelineFixture.produceRun(bootstrap, shared, "run-y", 22, steps);
        PipelineFixture.runJob(
                bootstrap, shared, "run-x", PipelineFixture.trainer(steps, 5), null, null);

        TopicNames alone = TopicNames.withPrefix("one-run-test");
        TopicAdministration.ensureTopics(bootstrap, alone);
        PipelineFixture.produceRun(bootstrap, alone, "run-x", 21, steps);
        PipelineFixture.runJob(
                bootstrap, alone, "run-x", PipelineFixture.trainer(steps, 5), null, null);

        Map<String, ModelSnapshot> together =
                PipelineFixture.readSnapshots(bootstrap, shared.snapshots()).stream()
                        .collect(
                                java.util.stream.Collectors.toMap(
                                        ModelSnapshot::getRunId, snapshot -> snapshot));
        ModelSnapshot single = PipelineFixture.readSnapshots(bootstrap, alone.snapshots()).get(0);
        assertEquals(java.util.Set.of("run-x", "run-y"), together.keySet());
        assertEquals(21, together.get("run-x").getSeed());
        assertEquals(22, together.get("run-y").getSeed());
        assertEquals(single.getParameterHash(), together.get("run-x").getParameterHash());
        assertNotEquals(
                together.get("run-x").getParameterHash(), together.get("run-y").getParameterHash());
    }
}
