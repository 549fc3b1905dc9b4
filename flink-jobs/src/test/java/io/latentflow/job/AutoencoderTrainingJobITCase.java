package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.AutoencoderTrainerSettings;
import io.latentflow.job.operators.OptimizerKind;
import io.latentflow.job.produce.DataSampleProducer;
import io.latentflow.job.produce.IdxImageSource;
import io.latentflow.schema.AutoencoderTrainingMetrics;
import io.latentflow.schema.DataSample;
import io.latentflow.schema.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The autoencoder job end to end: a real KRaft broker, Fashion-MNIST images streamed onto the data
 * topic with malformed records among them, and a small autoencoder trained by the Flink job in a
 * MiniCluster with a Hessian-free and a first-order optimizer.
 */
class AutoencoderTrainingJobITCase {
    private static final int[] WIDTHS = {784, 32, 8, 32, 784};
    private static final int GRADIENT_BATCH = 64;
    private static final int CURVATURE_BATCH = 16;
    private static final int EVALUATION_EXAMPLES = 40;

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

    private static AutoencoderTrainerSettings settings(OptimizerKind optimizer, long steps) {
        return new AutoencoderTrainerSettings(
                WIDTHS,
                optimizer,
                9,
                16,
                GRADIENT_BATCH,
                CURVATURE_BATCH,
                steps,
                1,
                optimizer.isSecondOrder() ? Double.NaN : 1e-3,
                0.9,
                1.0,
                10,
                60_000,
                EVALUATION_EXAMPLES);
    }

    @Test
    void saddleFreeStepsReportTheirCurvatureAndTwoRunsOfOneStreamEndWithTheSameParameters()
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("autoencoder-sfhf-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        String run = "sfhf-run";
        long steps = 3;
        long half = steps * GRADIENT_BATCH / 2;
        IdxImageSource images = PipelineFixture.fashionMnist();
        Map<Long, String> reasons = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> raw = rawProducer(bootstrap);
                DataSampleProducer producer = new DataSampleProducer(bootstrap, topics.data())) {
            producer.produce(run, images, 4, 0, half);
            send(
                    raw,
                    topics.data(),
                    run,
                    "not avro".getBytes(StandardCharsets.UTF_8),
                    reasons,
                    "not a DataSample");
            DataSample valid = DataSampleProducer.sample(run, 1_000_000, 0, images);
            DataSample small = DataSample.newBuilder(valid).setHeight(2).setWidth(2).build();
            small.setPixels(List.of(0f, 0f, 0f, 0f));
            send(raw, topics.data(), run, encode(small), reasons, "the model takes 784");
            DataSample bright = DataSample.newBuilder(valid).build();
            List<Float> pixels = new ArrayList<>(bright.getPixels());
            pixels.set(7, 3f);
            bright.setPixels(pixels);
            send(raw, topics.data(), run, encode(bright), reasons, "pixel 7 is 3.0");
            producer.produce(run, images, 4, half, steps * GRADIENT_BATCH - half);
        }
        AutoencoderTrainerSettings trainer = settings(OptimizerKind.SADDLE_FREE, steps);

        runJob(bootstrap, topics, run, trainer);
        runJob(bootstrap, topics, run, trainer);

        List<AutoencoderTrainingMetrics> metrics = metrics(bootstrap, topics);
        assertEquals(2 * (steps + 1), metrics.size(), "steps 0 to 3, twice: " + metrics);
        List<AutoencoderTrainingMetrics> first = metrics.subList(0, (int) steps + 1);
        List<AutoencoderTrainingMetrics> second = metrics.subList((int) steps + 1, metrics.size());
        assertEquals(
                List.of(0L, 1L, 2L, 3L),
                first.stream().map(AutoencoderTrainingMetrics::getStep).toList());
        for (int i = 0; i < first.size(); i++) {
            assertEquals(first.get(i).getParameterHash(), second.get(i).getParameterHash());
            assertEquals(first.get(i).getTrainingError(), second.get(i).getTrainingError(), 0.0);
        }
        assertNotEquals(first.get(0).getParameterHash(), first.get(3).getParameterHash());

        AutoencoderTrainingMetrics initial = first.get(0);
        assertNull(initial.getDamping(), "no step has been solved at step 0");
        assertTrue(initial.getTrainingError() > 0 && Double.isFinite(initial.getTrainingError()));
        for (AutoencoderTrainingMetrics m : first.subList(1, first.size())) {
            assertEquals("sfhf", m.getOptimizer());
            assertEquals(GRADIENT_BATCH, m.getBatchSize());
            assertEquals(CURVATURE_BATCH, m.getCurvatureBatch());
            assertEquals(m.getStep() * GRADIENT_BATCH, m.getExamples());
            assertEquals(m.getExamples() / 60_000.0, m.getPasses(), 1e-12);
            assertTrue(m.getComputePasses() > m.getPasses(), "curvature products cost: " + m);
            assertFinite(m.getTrainingLoss(), "loss", m);
            assertFinite(m.getTrainingError(), "error", m);
            assertFinite(m.getDamping(), "damping", m);
            assertFinite(m.getNextDamping(), "next damping", m);
            assertFinite(m.getPredictedReduction(), "predicted reduction", m);
            assertFinite(m.getActualReduction(), "actual reduction", m);
            assertFinite(m.getReductionRatio(), "rho", m);
            assertFinite(m.getStepLength(), "step length", m);
            assertFinite(m.getMostNegativeCurvature(), "most negative curvature", m);
            assertNotNull(m.getNegativeCurvatureMet());
            assertTrue(m.getInnerIterations() >= 1 && m.getInnerIterations() <= 10, "inner " + m);
            // Ten Lanczos products and two per multi-shift iteration.
            assertTrue(m.getCurvatureProducts() >= 10 + 2L * m.getInnerIterations(), "Hv " + m);
        }
        AutoencoderTrainingMetrics last = first.get(first.size() - 1);
        assertTrue(
                last.getTrainingError() < initial.getTrainingError(),
                "training error " + initial.getTrainingError() + " -> " + last.getTrainingError());
        assertEquals(reasons.size(), last.getDeadLetters());
        // The valid records after the three rejected ones end three offsets later.
        assertEquals(steps * GRADIENT_BATCH + reasons.size() - 1, last.getDataOffset());

        List<DeadLetter> letters =
                PipelineFixture.readAll(
                        bootstrap, topics.deadLetter(), unchecked(DeadLetter.getDecoder()::decode));
        assertEquals(2 * reasons.size(), letters.size(), "dead letters: " + letters);
        for (DeadLetter letter : letters) {
            assertEquals(topics.data(), letter.getSourceTopic());
            String expected = reasons.get(letter.getSourceOffset());
            assertTrue(
                    letter.getReason().contains(expected),
                    "reason at offset " + letter.getSourceOffset() + ": " + letter.getReason());
        }
    }

    @Test
    void adamTrainsOnMiniBatchesWithoutSecondOrderFields() throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("autoencoder-adam-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        String run = "adam-run";
        long steps = 12;
        try (DataSampleProducer producer = new DataSampleProducer(bootstrap, topics.data())) {
            producer.produce(run, PipelineFixture.fashionMnist(), 4, 0, steps * 16);
        }

        runJob(bootstrap, topics, run, settings(OptimizerKind.ADAM, steps));

        List<AutoencoderTrainingMetrics> metrics = metrics(bootstrap, topics);
        assertEquals(steps + 1, metrics.size());
        for (AutoencoderTrainingMetrics m : metrics) {
            assertEquals("adam", m.getOptimizer());
            assertNull(m.getDamping());
            assertNull(m.getInnerIterations());
            assertNull(m.getCurvatureProducts());
            assertEquals(0, m.getCurvatureBatch());
            assertEquals(m.getStep() * 16, m.getExamples());
            assertFinite(m.getTrainingError(), "error", m);
        }
        AutoencoderTrainingMetrics last = metrics.get(metrics.size() - 1);
        assertTrue(last.getApplied());
        assertEquals(last.getPasses(), last.getComputePasses(), 1e-12);
        assertTrue(last.getTrainingError() < metrics.get(0).getTrainingError(), "" + last);
        assertEquals(steps * 16 - 1, last.getDataOffset());
    }

    @Test
    void everyOtherOptimizerTrainsThroughTheSameJob() throws Exception {
        String bootstrap = broker.bootstrapServers();
        long steps = 4;
        for (OptimizerKind optimizer :
                List.of(OptimizerKind.SGD, OptimizerKind.RMSPROP, OptimizerKind.NEWTON_CG)) {
            TopicNames topics = TopicNames.withPrefix("autoencoder-" + optimizer + "-test");
            TopicAdministration.ensureTopics(bootstrap, topics);
            String run = optimizer + "-run";
            AutoencoderTrainerSettings trainer = settings(optimizer, steps);
            try (DataSampleProducer producer = new DataSampleProducer(bootstrap, topics.data())) {
                producer.produce(
                        run,
                        PipelineFixture.fashionMnist(),
                        4,
                        0,
                        steps * trainer.examplesPerStep());
            }

            runJob(bootstrap, topics, run, trainer);

            List<AutoencoderTrainingMetrics> metrics = metrics(bootstrap, topics);
            assertEquals(
                    List.of(0L, 1L, 2L, 3L, 4L),
                    metrics.stream().map(AutoencoderTrainingMetrics::getStep).toList(),
                    optimizer.toString());
            for (AutoencoderTrainingMetrics m : metrics) {
                assertEquals(optimizer.optionName(), m.getOptimizer());
                assertFinite(m.getTrainingError(), "error", m);
                assertEquals(optimizer.isSecondOrder() && m.getStep() > 0, m.getDamping() != null);
            }
            AutoencoderTrainingMetrics last = metrics.get(metrics.size() - 1);
            assertEquals(steps * trainer.examplesPerStep() - 1, last.getDataOffset());
            if (optimizer.isSecondOrder()) {
                for (AutoencoderTrainingMetrics m : metrics.subList(1, metrics.size())) {
                    assertFinite(m.getMostNegativeCurvature(), "most negative curvature", m);
                    assertTrue(m.getStepLength() >= 0 && m.getStepLength() <= 1, "" + m);
                }
            } else {
                assertTrue(
                        last.getTrainingError() < metrics.get(0).getTrainingError(),
                        optimizer + ": " + last);
            }
        }
    }

    private static void assertFinite(Double value, String name, AutoencoderTrainingMetrics m) {
        assertNotNull(value, name + " at step " + m.getStep());
        assertTrue(Double.isFinite(value), name + " at step " + m.getStep() + ": " + value);
    }

    private static void runJob(
            String bootstrap, TopicNames topics, String runId, AutoencoderTrainerSettings trainer)
            throws Exception {
        StreamExecutionEnvironment env = PipelineFixture.localEnvironment();
        AutoencoderTrainingJob.build(
                env,
                new AutoencoderJobSettings(
                        bootstrap,
                        topics,
                        runId,
                        trainer,
                        null,
                        TopicAdministration.endOffsets(bootstrap, topics.data())));
        env.execute("autoencoder-pipeline-test-" + runId);
    }

    private static List<AutoencoderTrainingMetrics> metrics(String bootstrap, TopicNames topics) {
        return PipelineFixture.readAll(
                bootstrap,
                topics.metrics(),
                unchecked(AvroWireFormat.of(AutoencoderTrainingMetrics.class)::decode));
    }

    private static byte[] encode(DataSample sample) {
        return AvroWireFormat.dataSamples().encode(sample);
    }

    private static KafkaProducer<byte[], byte[]> rawProducer(String bootstrap) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            String runId,
            byte[] value,
            Map<Long, String> reasons,
            String reason)
            throws Exception {
        byte[] key = runId.getBytes(StandardCharsets.UTF_8);
        long offset = producer.send(new ProducerRecord<>(topic, key, value)).get().offset();
        reasons.put(offset, reason);
    }
}
