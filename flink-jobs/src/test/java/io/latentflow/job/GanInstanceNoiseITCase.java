package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.GeneratorCost;
import io.latentflow.core.model.InstanceNoise;
import io.latentflow.core.model.ModelKind;
import io.latentflow.core.model.NoiseSchedule;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.TrainerSettings;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GAN with the minimax cost and annealed instance noise through the whole pipeline: the metrics
 * carry the model, the cost, the scheduled sigma and the diagnostics, and the noise, drawn from the
 * latent records' seeds, replays identically.
 */
class GanInstanceNoiseITCase {
    private static final long STEPS = 30;
    private static final long ANNEAL_STEPS = 20;
    private static final double SIGMA = 0.2;

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

    private static TrainerSettings gan(InstanceNoise noise) {
        AdversarialConfig config =
                PipelineFixture.SMALL_MODEL
                        .withModel(ModelKind.GAN)
                        .withGeneratorCost(GeneratorCost.MINIMAX);
        return TrainerSettings.of(config, noise, PipelineFixture.BATCH_SIZE, STEPS, 1, 0);
    }

    private static Map<String, ModelSnapshot> trainTwoRuns(String prefix, InstanceNoise noise)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix(prefix);
        TopicAdministration.ensureTopics(bootstrap, topics);
        // Two runs with the same seed see the same data and draws; only their ids differ.
        PipelineFixture.produceRun(bootstrap, topics, "gan-a", 31, STEPS);
        PipelineFixture.produceRun(bootstrap, topics, "gan-b", 31, STEPS);
        PipelineFixture.runJob(bootstrap, topics, "gan-a", gan(noise), null, null);
        return PipelineFixture.readSnapshots(bootstrap, topics.snapshots()).stream()
                .collect(Collectors.toMap(ModelSnapshot::getRunId, snapshot -> snapshot));
    }

    @Test
    void metricsCarryTheScheduledSigmaAndDiagnosticsAndTheNoiseReplays() throws Exception {
        InstanceNoise linear = new InstanceNoise(SIGMA, NoiseSchedule.LINEAR, ANNEAL_STEPS, false);
        Map<String, ModelSnapshot> noisy = trainTwoRuns("gan-noise-test", linear);

        List<TrainingMetrics> metrics =
                PipelineFixture.readAll(
                                broker.bootstrapServers(),
                                "gan-noise-test.metrics",
                                unchecked(TrainingMetrics.getDecoder()::decode))
                        .stream()
                        .filter(m -> m.getRunId().equals("gan-a"))
                        .toList();
        assertEquals(STEPS, metrics.size());
        for (TrainingMetrics m : metrics) {
            assertEquals("gan-mlp", m.getModel());
            assertEquals("minimax", m.getGeneratorCost());
            // The update of step s follows s - 1 updates.
            double expectedSigma =
                    SIGMA * Math.max(0, 1 - (m.getStep() - 1) / (double) ANNEAL_STEPS);
            assertEquals(expectedSigma, m.getInstanceNoiseSigma(), 1e-12, "step " + m.getStep());
            assertTrue(m.getGeneratorLoss() < 0, "the minimax cost is negative: " + m);
            assertEquals(Math.log(2) - m.getDiscriminatorLoss() / 2, m.getJsdEstimate(), 1e-12);
            assertEquals(
                    m.getDiscriminatorAccuracy(),
                    (m.getRealAccuracy() + m.getFakeAccuracy()) / 2,
                    1e-12);
            assertEquals(Math.min(m.getStep(), 50), m.getGradNormWindow());
            assertTrue(m.getGeneratorGradNormMean() > 0 && m.getGeneratorGradNormVariance() >= 0);
            assertEquals(0.0, m.getEncoderGradNorm());
            assertTrue(Double.isNaN(m.getReconstructionError()));
            assertNull(m.getWarning());
        }
        assertEquals(0.0, metrics.get((int) ANNEAL_STEPS).getInstanceNoiseSigma());

        assertEquals(noisy.get("gan-a").getParameterHash(), noisy.get("gan-b").getParameterHash());
        Map<String, ModelSnapshot> quiet = trainTwoRuns("gan-quiet-test", InstanceNoise.NONE);
        assertNotEquals(
                noisy.get("gan-a").getParameterHash(), quiet.get("gan-a").getParameterHash());
        assertEquals("gan-mlp", quiet.get("gan-a").getModel());
    }
}
