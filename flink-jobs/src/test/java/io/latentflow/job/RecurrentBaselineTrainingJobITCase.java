package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.tasks.PixelByPixelTask;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.RecurrentModelKind;
import io.latentflow.job.operators.RecurrentOptimizer;
import io.latentflow.job.operators.RecurrentTrainerSettings;
import io.latentflow.job.operators.SequenceTask;
import io.latentflow.job.produce.SequenceSampleProducer;
import io.latentflow.job.produce.SyntheticFashionMnist;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.SequenceSample;
import io.latentflow.schema.SequenceTrainingMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * The LSTM baseline on permuted pixel-by-pixel images and the uRNN with Adam, end to end: a real
 * KRaft broker, the sequences streamed onto the data topic, the Flink job in a MiniCluster, metrics
 * on the monitoring topic and malformed pixel records on the dead-letter topic. The images are
 * small synthetic IDX files: the trainer evaluates every test image after the last step, a 784-step
 * pass for each of the real set's 10,000, and the test knows every pixel it streams (the pixel
 * order on a real image is checked by PixelByPixelTaskTest).
 */
class RecurrentBaselineTrainingJobITCase {
    private static final int TRAINING_IMAGES = 30;
    private static final int TEST_IMAGES = 24;

    @TempDir static Path directory;
    private static EmbeddedKafkaBroker broker;
    private static Path dataset;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start(directory.resolve("kafka"));
        dataset = directory.resolve("fashion-mnist");
        SyntheticFashionMnist.write(dataset, TRAINING_IMAGES, TEST_IMAGES);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void lstmOnPermutedPixelsReportsFiniteMetricsAndHeldOutTestAccuracy() throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("lstm-pixel-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        String run = "lstm-pixel";
        int batchSize = 5;
        long steps = 4;
        SequenceTask task = SequenceTask.PERMUTED_PIXEL;
        PixelByPixelTask images =
                new PixelByPixelTask(
                        IdxReader.readImages(FashionMnist.trainingImages(dataset)),
                        IdxReader.readLabels(FashionMnist.trainingLabels(dataset)),
                        task.pixelOrder(7));
        List<String> reasons = new ArrayList<>();
        try (SequenceSampleProducer producer =
                        new SequenceSampleProducer(bootstrap, topics.data());
                KafkaProducer<byte[], byte[]> raw = rawProducer(bootstrap)) {
            producer.producePixels(run, task, images, 2, 0, steps * batchSize / 2);
            SequenceSample valid = task.pixelSample(run, images, 0, 2, 1_000);
            SequenceSample bright = SequenceSample.newBuilder(valid).build();
            List<Float> inputs = new ArrayList<>(bright.getInputs());
            inputs.set(3, 2f);
            bright.setInputs(inputs);
            send(raw, topics.data(), run, bright);
            reasons.add("pixel 3 is 2.0");
            SequenceSample twoClasses = SequenceSample.newBuilder(valid).build();
            twoClasses.setTargetClasses(List.of(1, 2));
            send(raw, topics.data(), run, twoClasses);
            reasons.add("one target class");
            producer.producePixels(
                    run, task, images, 2, steps * batchSize / 2, steps * batchSize / 2);
        }
        RecurrentTrainerSettings trainer =
                new RecurrentTrainerSettings(
                        RecurrentModelKind.LSTM,
                        task,
                        SequenceTask.IMAGE_PIXELS,
                        8,
                        3,
                        batchSize,
                        steps,
                        2,
                        RecurrentOptimizer.RMSPROP,
                        1e-3,
                        0.9,
                        0,
                        7,
                        dataset.toString(),
                        3,
                        10);

        runJob(bootstrap, topics, run, trainer);

        List<SequenceTrainingMetrics> metrics = metrics(bootstrap, topics);
        assertEquals(
                List.of(1L, 2L, 3L, 4L),
                metrics.stream().map(SequenceTrainingMetrics::getStep).toList(),
                "steps 1, 2, 4 by the metrics interval, 3 for its test measurement");
        for (SequenceTrainingMetrics m : metrics) {
            assertEquals("lstm", m.getModel());
            assertEquals("permuted-pixel", m.getTask());
            assertEquals("7", m.getConfiguration().get("permutationSeed"));
            assertEquals(784, m.getTimeSteps());
            assertTrue(m.getApplied());
            assertTrue(Double.isFinite(m.getLoss()) && m.getLoss() > 0, "loss " + m);
            assertEquals(Math.log(10), m.getBaselineLoss(), 1e-12);
            assertTrue(Double.isNaN(m.getUnitarityDeviation()), "an LSTM is not unitary");
            assertTrue(Double.isFinite(m.getGradientNorm()) && m.getGradientNorm() > 0);
            assertEquals(784, m.getStateGradientNorms().size());
            for (double norm : m.getStateGradientNorms()) {
                assertTrue(Double.isFinite(norm), "|dC/dh_t| " + norm);
            }
            assertEquals(64, m.getParameterHash().length());
        }
        assertTrue(Double.isNaN(metrics.get(0).getTestAccuracy()), "no test at step 1");
        assertEquals(0, metrics.get(0).getTestExamples());
        assertEquals(10, metrics.get(2).getTestExamples(), "the first 10 at the interval");
        assertEquals(TEST_IMAGES, metrics.get(3).getTestExamples(), "all at the last step");
        for (SequenceTrainingMetrics m : metrics.subList(2, 4)) {
            double accuracy = m.getTestAccuracy();
            assertTrue(accuracy >= 0 && accuracy <= 1, "test accuracy " + accuracy);
            // Accuracy counts whole images: a multiple of 1 / examples.
            assertEquals(
                    Math.rint(accuracy * m.getTestExamples()),
                    accuracy * m.getTestExamples(),
                    1e-9);
            assertTrue(Double.isFinite(m.getTestLoss()) && m.getTestLoss() > 0);
        }
        SequenceTrainingMetrics last = metrics.get(3);
        assertEquals(reasons.size(), last.getDeadLetters());
        assertEquals(steps * batchSize + reasons.size() - 1, last.getDataOffset());
        assertNotEquals(metrics.get(0).getParameterHash(), last.getParameterHash());

        List<DeadLetter> letters =
                PipelineFixture.readAll(
                        bootstrap, topics.deadLetter(), unchecked(DeadLetter.getDecoder()::decode));
        assertEquals(reasons.size(), letters.size());
        for (int i = 0; i < letters.size(); i++) {
            assertEquals(topics.data(), letters.get(i).getSourceTopic());
            assertEquals(steps * batchSize / 2 + i, letters.get(i).getSourceOffset());
            assertTrue(
                    letters.get(i).getReason().contains(reasons.get(i)),
                    letters.get(i).getReason());
        }
    }

    @Test
    void urnnWithAdamLowersTheCopyingLossAndReplaysToTheSameParameters() throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("urnn-adam-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        String run = "urnn-adam";
        int batchSize = 20;
        long steps = 60;
        int delay = 10;
        try (SequenceSampleProducer producer =
                new SequenceSampleProducer(bootstrap, topics.data())) {
            producer.produce(run, SequenceTask.COPYING, delay, 5, 0, steps * batchSize);
        }
        RecurrentTrainerSettings adam =
                new RecurrentTrainerSettings(
                        RecurrentModelKind.URNN,
                        SequenceTask.COPYING,
                        delay,
                        32,
                        5,
                        batchSize,
                        steps,
                        30,
                        RecurrentOptimizer.ADAM,
                        1e-3,
                        0.9,
                        0,
                        0,
                        null,
                        0,
                        1);

        runJob(bootstrap, topics, run, adam);
        runJob(bootstrap, topics, run, adam);
        runJob(
                bootstrap,
                topics,
                run,
                new RecurrentTrainerSettings(
                        SequenceTask.COPYING, delay, 32, 5, batchSize, steps, 30, 1e-3, 0.9));

        List<SequenceTrainingMetrics> metrics = metrics(bootstrap, topics);
        assertEquals(9, metrics.size(), "steps 1, 30 and 60 of three runs");
        SequenceTrainingMetrics first = metrics.get(0);
        SequenceTrainingMetrics last = metrics.get(2);
        assertEquals("adam", first.getConfiguration().get("optimizer"));
        assertEquals("0.999", first.getConfiguration().get("beta2"));
        assertEquals(60, last.getStep());
        assertTrue(
                last.getLoss() < first.getLoss() / 2,
                "loss " + first.getLoss() + " at step 1, " + last.getLoss() + " at step 60");
        assertTrue(last.getUnitarityDeviation() < 1e-12, "unitarity " + last);
        assertEquals(last.getParameterHash(), metrics.get(5).getParameterHash(), "the replay");
        assertEquals("rmsprop", metrics.get(8).getConfiguration().get("optimizer"));
        assertEquals(first.getLoss(), metrics.get(6).getLoss(), 0.0, "same model before updates");
        assertNotEquals(last.getParameterHash(), metrics.get(8).getParameterHash());
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
        env.execute("recurrent-baseline-test-" + runId);
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

    private static void send(
            KafkaProducer<byte[], byte[]> producer, String topic, String runId, SequenceSample s)
            throws Exception {
        byte[] key = runId.getBytes(StandardCharsets.UTF_8);
        producer.send(
                        new ProducerRecord<>(
                                topic, key, AvroWireFormat.of(SequenceSample.class).encode(s)))
                .get();
    }
}
