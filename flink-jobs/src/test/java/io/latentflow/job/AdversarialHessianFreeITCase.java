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
import io.latentflow.core.model.SecondOrderTraining;
import io.latentflow.core.optim.CurvatureMethod;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.TrainerSettings;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ALI and the GAN trained with one saddle-free Hessian-free step per player and update, through the
 * embedded broker and the MiniCluster: two jobs over the same offsets produce the same parameter
 * hash at every step, every record has finite second-order fields for both players, malformed input
 * still goes to the dead-letter topic, and an Adam run leaves those fields null.
 */
class AdversarialHessianFreeITCase {
    private static final long STEPS = 4;
    private static final String RUN = "hessian-free-run";

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

    private static TrainerSettings settings(ModelKind kind, InstanceNoise noise) {
        AdversarialConfig config =
                PipelineFixture.SMALL_MODEL
                        .withModel(kind)
                        .withGeneratorCost(GeneratorCost.NON_SATURATING);
        // A snapshot after every step carries the step's parameter hash.
        return TrainerSettings.of(config, noise, PipelineFixture.BATCH_SIZE, STEPS, 1, 1);
    }

    /** The metrics records and snapshots of both jobs, the first job's first. */
    private record TwoJobs(List<TrainingMetrics> metrics, List<ModelSnapshot> snapshots) {}

    /** Streams the run with two malformed records among its input and trains it twice. */
    private static TwoJobs trainTwice(String prefix, TrainerSettings trainer, int expectedRecords)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix(prefix);
        TopicAdministration.ensureTopics(bootstrap, topics);
        // Ahead of the run's records, so that the last step's record has counted them.
        try (KafkaProducer<byte[], byte[]> raw = rawProducer(bootstrap)) {
            byte[] key = RUN.getBytes(StandardCharsets.UTF_8);
            raw.send(
                            new ProducerRecord<>(
                                    topics.data(), key, "no avro".getBytes(StandardCharsets.UTF_8)))
                    .get();
            raw.send(new ProducerRecord<>(topics.latent(), key, new byte[] {(byte) 0xC3, 0x01, 7}))
                    .get();
        }
        PipelineFixture.produceRun(bootstrap, topics, RUN, 41, STEPS);
        PipelineFixture.runJob(bootstrap, topics, RUN, trainer, null, null);
        PipelineFixture.runJob(bootstrap, topics, RUN, trainer, null, null);

        List<DeadLetter> letters =
                PipelineFixture.readAll(
                        bootstrap, topics.deadLetter(), unchecked(DeadLetter.getDecoder()::decode));
        assertEquals(4, letters.size(), "two per job: " + letters);
        AvroWireFormat<TrainingMetrics> format = AvroWireFormat.trainingMetrics();
        List<TrainingMetrics> metrics =
                PipelineFixture.readAll(bootstrap, topics.metrics(), unchecked(format::decode));
        assertEquals(expectedRecords, metrics.size());
        List<ModelSnapshot> snapshots =
                PipelineFixture.readSnapshots(bootstrap, topics.snapshots());
        assertEquals(expectedRecords, snapshots.size());
        return new TwoJobs(metrics, snapshots);
    }

    private static KafkaProducer<byte[], byte[]> rawProducer(String bootstrap) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }

    private static void assertFinite(String what, Double value) {
        assertTrue(value != null && Double.isFinite(value), what + " = " + value);
    }

    private static void assertRepeatsWithFiniteSecondOrderFields(TwoJobs jobs, String optimizer) {
        List<TrainingMetrics> metrics = jobs.metrics();
        List<ModelSnapshot> snapshots = jobs.snapshots();
        int perJob = metrics.size() / 2;
        for (int i = 0; i < perJob; i++) {
            TrainingMetrics first = metrics.get(i);
            TrainingMetrics second = metrics.get(perJob + i);
            assertEquals(i + 1, first.getStep());
            assertEquals(first.getStep(), second.getStep());
            assertEquals(i + 1, snapshots.get(i).getStep());
            assertEquals(i + 1, snapshots.get(perJob + i).getStep());
            assertEquals(
                    snapshots.get(i).getParameterHash(),
                    snapshots.get(perJob + i).getParameterHash(),
                    "step " + (i + 1));
            if (i > 0) {
                assertNotEquals(
                        snapshots.get(i - 1).getParameterHash(),
                        snapshots.get(i).getParameterHash());
            }
            assertEquals(first.getDiscriminatorLoss(), second.getDiscriminatorLoss());
            assertEquals(optimizer, first.getOptimizer());
            assertTrue(first.getApplied());
            for (TrainingMetrics m : List.of(first, second)) {
                assertFinite("discriminator damping", m.getDiscriminatorDamping());
                assertFinite("generator damping", m.getGeneratorDamping());
                assertFinite("discriminator rho", m.getDiscriminatorReductionRatio());
                assertFinite("generator rho", m.getGeneratorReductionRatio());
                assertFinite("predicted", m.getGeneratorPredictedReduction());
                assertFinite("actual", m.getGeneratorActualReduction());
                assertFinite("step length", m.getDiscriminatorStepLength());
                assertFinite("D curvature", m.getDiscriminatorMostNegativeCurvature());
                assertFinite("G curvature", m.getGeneratorMostNegativeCurvature());
                assertTrue(m.getGeneratorCurvatureProducts() > 0);
                assertTrue(m.getDiscriminatorInnerIterations() > 0);
            }
        }
        TrainingMetrics last = metrics.get(metrics.size() - 1);
        assertEquals(STEPS, last.getStep());
        assertEquals(2, last.getDeadLetters());
        assertEquals(0, last.getSkippedSteps());
    }

    @Test
    void aSaddleFreeGanRepeatsItsParameterHashesStepByStep() throws Exception {
        TrainerSettings trainer =
                settings(ModelKind.GAN, new InstanceNoise(0.1, NoiseSchedule.CONSTANT, 0, false))
                        .withSecondOrder(
                                SecondOrderTraining.of(CurvatureMethod.SADDLE_FREE, 1, 8, 8));
        assertRepeatsWithFiniteSecondOrderFields(
                trainTwice("hessian-free-gan", trainer, (int) (2 * STEPS)), "sfhf");
    }

    @Test
    void aSaddleFreeAliWithNoiseOnTheCodeRepeatsItsParameterHashes() throws Exception {
        TrainerSettings trainer =
                settings(ModelKind.ALI, new InstanceNoise(0.1, NoiseSchedule.CONSTANT, 0, true))
                        .withSecondOrder(
                                SecondOrderTraining.of(CurvatureMethod.SADDLE_FREE, 1, 6, 0));
        assertRepeatsWithFiniteSecondOrderFields(
                trainTwice("hessian-free-ali", trainer, (int) (2 * STEPS)), "sfhf");
    }

    @Test
    void anAdamRunLeavesTheSecondOrderFieldsNull() throws Exception {
        TwoJobs jobs =
                trainTwice(
                        "hessian-free-adam",
                        settings(ModelKind.GAN, InstanceNoise.NONE),
                        (int) (2 * STEPS));
        List<TrainingMetrics> metrics = jobs.metrics();
        for (TrainingMetrics m : metrics) {
            assertEquals("adam", m.getOptimizer());
            assertNull(m.getDiscriminatorDamping());
            assertNull(m.getGeneratorReductionRatio());
            assertNull(m.getGeneratorMostNegativeCurvature());
            assertNull(m.getDiscriminatorCurvatureProducts());
        }
        assertEquals(
                jobs.snapshots().get((int) STEPS - 1).getParameterHash(),
                jobs.snapshots().get(jobs.snapshots().size() - 1).getParameterHash());
        assertEquals(2, metrics.get(metrics.size() - 1).getDeadLetters());
    }
}
