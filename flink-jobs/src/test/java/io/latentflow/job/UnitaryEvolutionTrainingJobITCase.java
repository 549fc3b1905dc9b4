package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.RecurrentTrainerSettings;
import io.latentflow.job.operators.SequenceTask;
import io.latentflow.job.produce.SequenceSampleProducer;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.SequenceSample;
import io.latentflow.schema.SequenceTrainingMetrics;
import java.nio.ByteBuffer;
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
 * The recurrent job end to end: a real KRaft broker, the copying and adding tasks streamed onto the
 * data topic, and the uRNN trained by the Flink job in a MiniCluster, with metrics on the
 * monitoring topic and malformed sequences on the dead-letter topic.
 */
class UnitaryEvolutionTrainingJobITCase {
    private static final int BATCH_SIZE = 20;

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
    void copyingThroughKafkaFallsBelowTheMemorylessBaselineWithWStayingUnitary() throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("urnn-copying-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        long steps = 150;
        int delay = 10;
        try (SequenceSampleProducer producer =
                new SequenceSampleProducer(bootstrap, topics.data())) {
            producer.produce("copy-run", SequenceTask.COPYING, delay, 5, 0, steps * BATCH_SIZE);
        }

        runJob(
                bootstrap,
                topics,
                "copy-run",
                new RecurrentTrainerSettings(
                        SequenceTask.COPYING, delay, 32, 5, BATCH_SIZE, steps, 25, 1e-3, 0.9));

        List<SequenceTrainingMetrics> metrics = metrics(bootstrap, topics);
        assertEquals(
                List.of(1L, 25L, 50L, 75L, 100L, 125L, 150L),
                metrics.stream().map(SequenceTrainingMetrics::getStep).toList());
        double baseline = 10 * Math.log(8) / (delay + 20);
        for (SequenceTrainingMetrics m : metrics) {
            assertEquals("copy-run", m.getRunId());
            assertEquals("urnn", m.getModel());
            assertEquals("copying", m.getTask());
            assertEquals(5, m.getSeed());
            assertEquals(5, m.getTaskSeed());
            assertEquals(delay + 20, m.getTimeSteps());
            assertEquals("32", m.getConfiguration().get("hiddenSize"));
            assertTrue(m.getApplied());
            assertEquals(baseline, m.getBaselineLoss(), 1e-12);
            assertTrue(m.getAccuracy() >= 0 && m.getAccuracy() <= 1, "accuracy " + m);
            assertTrue(m.getUnitarityDeviation() < 1e-12, "unitarity " + m);
            assertTrue(Double.isFinite(m.getGradientNorm()) && m.getGradientNorm() > 0);
            assertEquals(m.getStep() * BATCH_SIZE - 1, m.getDataOffset());
            assertEquals(delay + 20, m.getStateGradientNorms().size());
            for (double norm : m.getStateGradientNorms()) {
                assertTrue(Double.isFinite(norm) && norm > 0, "|dC/dh_t| " + norm);
            }
        }
        SequenceTrainingMetrics first = metrics.get(0);
        SequenceTrainingMetrics last = metrics.get(metrics.size() - 1);
        assertTrue(first.getLoss() > 2 * baseline, "untrained loss " + first.getLoss());
        assertTrue(last.getLoss() < baseline, "loss at step 150: " + last.getLoss());
        assertTrue(last.getAccuracy() > first.getAccuracy() + 0.3, "recall " + last);
        assertEquals(0, last.getDeadLetters());
    }

    @Test
    void malformedSequencesBecomeDeadLettersAndAReplayOnThreeThreadsGivesTheSameParameters()
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("urnn-dead-letter-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        String run = "adding-run";
        int length = 12;
        long steps = 6;
        long half = steps * BATCH_SIZE / 2;
        Map<Long, String> reasons = new LinkedHashMap<>();
        Map<Long, byte[]> payloads = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> raw = rawProducer(bootstrap);
                SequenceSampleProducer producer =
                        new SequenceSampleProducer(bootstrap, topics.data())) {
            send(
                    raw,
                    topics.data(),
                    run,
                    "no avro".getBytes(StandardCharsets.UTF_8),
                    reasons,
                    payloads,
                    "not a SequenceSample");
            producer.produce(run, SequenceTask.ADDING, length, 8, 0, half);
            SequenceSample valid = SequenceTask.ADDING.sample(run, length, 8, 1_000_000);
            SequenceSample shorter = SequenceTask.ADDING.sample(run, length - 1, 8, 1_000_000);
            send(
                    raw,
                    topics.data(),
                    run,
                    encode(shorter),
                    reasons,
                    payloads,
                    "sequence of 11 steps");
            send(
                    raw,
                    topics.data(),
                    run,
                    encode(SequenceTask.COPYING.sample(run, 3, 8, 1_000_000)),
                    reasons,
                    payloads,
                    "a copying sequence, the job trains adding");
            SequenceSample withNan = SequenceSample.newBuilder(valid).build();
            List<Float> inputs = new ArrayList<>(withNan.getInputs());
            inputs.set(4, Float.NaN);
            withNan.setInputs(inputs);
            send(raw, topics.data(), run, encode(withNan), reasons, payloads, "input 4 is NaN");
            SequenceSample twoTargets = SequenceSample.newBuilder(valid).build();
            twoTargets.setTargetValues(List.of(1.0, 2.0));
            send(
                    raw,
                    topics.data(),
                    run,
                    encode(twoTargets),
                    reasons,
                    payloads,
                    "needs one target value");
            producer.produce(run, SequenceTask.ADDING, length, 8, half, half);
        }
        RecurrentTrainerSettings trainer =
                new RecurrentTrainerSettings(
                        SequenceTask.ADDING, length, 96, 3, BATCH_SIZE, steps, 2, 1e-3, 0.9);

        // Hidden 96 runs the factor loops, whose examples the replay spreads over three threads.
        runJob(bootstrap, topics, run, trainer);
        runJob(bootstrap, topics, run, trainer.withThreads(3));

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
            assertArrayEquals(payloads.get(letter.getSourceOffset()), bytes(letter.getPayload()));
        }

        List<SequenceTrainingMetrics> metrics = metrics(bootstrap, topics);
        List<Long> stepsOfOneRun = List.of(1L, 2L, 4L, 6L);
        assertEquals(2 * stepsOfOneRun.size(), metrics.size());
        List<SequenceTrainingMetrics> firstRun = metrics.subList(0, stepsOfOneRun.size());
        List<SequenceTrainingMetrics> replay =
                metrics.subList(stepsOfOneRun.size(), metrics.size());
        assertEquals(
                stepsOfOneRun, firstRun.stream().map(SequenceTrainingMetrics::getStep).toList());
        for (int i = 0; i < firstRun.size(); i++) {
            assertEquals(firstRun.get(i).getLoss(), replay.get(i).getLoss(), 0.0);
            assertEquals(firstRun.get(i).getParameterHash(), replay.get(i).getParameterHash());
            assertEquals(
                    firstRun.get(i).getStateGradientNorms(), replay.get(i).getStateGradientNorms());
            assertTrue(Double.isNaN(firstRun.get(i).getAccuracy()), "adding has no accuracy");
            assertEquals(1.0 / 6, firstRun.get(i).getBaselineLoss(), 1e-12);
        }
        SequenceTrainingMetrics last = firstRun.get(firstRun.size() - 1);
        assertEquals(reasons.size(), last.getDeadLetters());
        assertEquals(0, last.getSkippedSteps());
        // The valid records sit after the five rejected ones from the middle of the stream on.
        assertEquals(steps * BATCH_SIZE + reasons.size() - 1, last.getDataOffset());
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
        env.execute("urnn-pipeline-test-" + runId);
    }

    private static List<SequenceTrainingMetrics> metrics(String bootstrap, TopicNames topics) {
        return PipelineFixture.readAll(
                bootstrap,
                topics.metrics(),
                unchecked(AvroWireFormat.of(SequenceTrainingMetrics.class)::decode));
    }

    private static byte[] encode(SequenceSample sample) {
        return AvroWireFormat.of(SequenceSample.class).encode(sample);
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
            Map<Long, byte[]> payloads,
            String reason)
            throws Exception {
        byte[] key = runId.getBytes(StandardCharsets.UTF_8);
        long offset = producer.send(new ProducerRecord<>(topic, key, value)).get().offset();
        reasons.put(offset, reason);
        payloads.put(offset, value);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
