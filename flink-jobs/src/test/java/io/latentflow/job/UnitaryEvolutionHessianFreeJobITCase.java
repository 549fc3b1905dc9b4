package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.RecurrentModelKind;
import io.latentflow.job.operators.RecurrentOptimizer;
import io.latentflow.job.operators.RecurrentTrainerSettings;
import io.latentflow.job.operators.SequenceTask;
import io.latentflow.job.produce.SequenceSampleProducer;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.SequenceTrainingMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uRNN trained with saddle-free Hessian-free steps through the recurrent job: a real KRaft
 * broker, copying sequences streamed onto the data topic with a malformed record among them, and
 * the Flink job in a MiniCluster, run twice over the same offsets.
 */
class UnitaryEvolutionHessianFreeJobITCase {
    private static final int DELAY = 5;
    private static final int GRADIENT_BATCH = 16;
    private static final int CURVATURE_BATCH = 4;

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

    private static RecurrentTrainerSettings settings(RecurrentOptimizer optimizer, long steps) {
        boolean secondOrder = optimizer.isSecondOrder();
        return new RecurrentTrainerSettings(
                RecurrentModelKind.URNN,
                SequenceTask.COPYING,
                DELAY,
                8,
                5,
                GRADIENT_BATCH,
                steps,
                1,
                optimizer,
                1e-3,
                0.9,
                0,
                0,
                null,
                0,
                1,
                secondOrder ? CURVATURE_BATCH : 0,
                secondOrder ? 1.0 : Double.NaN,
                secondOrder ? 10 : 0,
                1);
    }

    @Test
    void saddleFreeStepsAreReproducibleAndReportTheirCurvatureWhileBadRecordsAreDeadLettered()
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("urnn-sfhf-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        String run = "sfhf-run";
        long steps = 3;
        long half = steps * GRADIENT_BATCH / 2;
        long badOffset;
        try (KafkaProducer<byte[], byte[]> raw = rawProducer(bootstrap);
                SequenceSampleProducer producer =
                        new SequenceSampleProducer(bootstrap, topics.data())) {
            producer.produce(run, SequenceTask.COPYING, DELAY, 5, 0, half);
            badOffset =
                    raw.send(
                                    new ProducerRecord<>(
                                            topics.data(),
                                            run.getBytes(StandardCharsets.UTF_8),
                                            "no avro".getBytes(StandardCharsets.UTF_8)))
                            .get()
                            .offset();
            producer.produce(
                    run, SequenceTask.COPYING, DELAY, 5, half, steps * GRADIENT_BATCH - half);
        }
        RecurrentTrainerSettings trainer = settings(RecurrentOptimizer.SADDLE_FREE, steps);

        runJob(bootstrap, topics, run, trainer);
        runJob(bootstrap, topics, run, trainer);

        List<SequenceTrainingMetrics> metrics = metrics(bootstrap, topics);
        assertEquals(2 * (int) steps, metrics.size(), "records: " + metrics);
        List<SequenceTrainingMetrics> first = metrics.subList(0, (int) steps);
        List<SequenceTrainingMetrics> second = metrics.subList((int) steps, metrics.size());
        for (int i = 0; i < steps; i++) {
            SequenceTrainingMetrics m = first.get(i);
            assertEquals(i + 1, m.getStep());
            assertEquals("sfhf", m.getConfiguration().get("optimizer"));
            assertEquals(GRADIENT_BATCH, m.getBatchSize());
            assertEquals(CURVATURE_BATCH, m.getCurvatureBatch());
            assertEquals(m.getParameterHash(), second.get(i).getParameterHash(), "step " + (i + 1));
            assertEquals(m.getLoss(), second.get(i).getLoss(), 0.0);
            for (Double value :
                    new Double[] {
                        m.getDamping(),
                        m.getNextDamping(),
                        m.getPredictedReduction(),
                        m.getActualReduction(),
                        m.getReductionRatio(),
                        m.getStepLength(),
                        m.getMostNegativeCurvature()
                    }) {
                assertNotNull(value, "second-order field of " + m);
                assertTrue(Double.isFinite(value), "second-order field of " + m);
            }
            assertTrue(m.getInnerIterations() > 0 && m.getCurvatureProducts() > 0, m.toString());
            assertNotNull(m.getNegativeCurvatureMet());
            assertTrue(m.getUnitarityDeviation() < 1e-12, "unitarity " + m);
        }
        // The optimizer's damping travels in keyed state from one step to the next.
        assertEquals(first.get(0).getNextDamping(), first.get(1).getDamping(), 0.0);
        assertEquals(first.get(1).getNextDamping(), first.get(2).getDamping(), 0.0);

        List<DeadLetter> letters =
                PipelineFixture.readAll(
                        bootstrap, topics.deadLetter(), unchecked(DeadLetter.getDecoder()::decode));
        assertEquals(2, letters.size(), "one dead letter per run: " + letters);
        for (DeadLetter letter : letters) {
            assertEquals(badOffset, letter.getSourceOffset());
            assertTrue(letter.getReason().contains("not a SequenceSample"), letter.getReason());
        }
        assertEquals(1, first.get((int) steps - 1).getDeadLetters());
    }

    @Test
    void aFirstOrderRunHasNoSecondOrderFields() throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("urnn-first-order-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        try (SequenceSampleProducer producer =
                new SequenceSampleProducer(bootstrap, topics.data())) {
            producer.produce("rmsprop-run", SequenceTask.COPYING, DELAY, 5, 0, 2 * GRADIENT_BATCH);
        }

        runJob(bootstrap, topics, "rmsprop-run", settings(RecurrentOptimizer.RMSPROP, 2));

        List<SequenceTrainingMetrics> metrics = metrics(bootstrap, topics);
        assertEquals(2, metrics.size());
        for (SequenceTrainingMetrics m : metrics) {
            assertTrue(m.getApplied());
            assertNull(m.getCurvatureBatch());
            assertNull(m.getDamping());
            assertNull(m.getNextDamping());
            assertNull(m.getInnerIterations());
            assertNull(m.getCurvatureProducts());
            assertNull(m.getReductionRatio());
            assertNull(m.getStepLength());
            assertNull(m.getMostNegativeCurvature());
            assertNull(m.getNegativeCurvatureMet());
        }
    }

    private static void runJob(
            String bootstrap, TopicNames topics, String runId, RecurrentTrainerSettings trainer)
            throws Exception {
        StreamExecutionEnvironment env = PipelineFixture.localEnvironment();
        RecurrentTrainingJob.build(
                env,
                new RecurrentJobSettings(
                        bootstrap,
                        topics,
                        runId,
                        trainer,
                        null,
                        TopicAdministration.endOffsets(bootstrap, topics.data())));
        env.execute("urnn-hessian-free-test-" + runId);
    }

    private static List<SequenceTrainingMetrics> metrics(String bootstrap, TopicNames topics) {
        return PipelineFixture.readAll(
                bootstrap,
                topics.metrics(),
                unchecked(AvroWireFormat.of(SequenceTrainingMetrics.class)::decode));
    }

    private static KafkaProducer<byte[], byte[]> rawProducer(String bootstrap) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }
}
