package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.produce.DataSampleProducer;
import io.latentflow.job.produce.LatentSampleProducer;
import io.latentflow.schema.DataSample;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.LatentSample;
import io.latentflow.schema.TrainingMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed records mixed into the input topics go to the dead-letter topic with their reason and
 * source offset, are counted in the run's metrics, and training goes on around them.
 */
class DeadLetterITCase {
    private static final String RUN = "dead-letter-run";
    private static final long STEPS = 12;

    @TempDir Path brokerDirectory;

    @Test
    void malformedRecordsBecomeDeadLettersAndTrainingCompletes() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerDirectory)) {
            String bootstrap = broker.bootstrapServers();
            TopicNames topics = TopicNames.withPrefix("dead-letter-test");
            TopicAdministration.ensureTopics(bootstrap, topics);
            long half = STEPS * PipelineFixture.BATCH_SIZE / 2;
            int latentDim = PipelineFixture.SMALL_MODEL.latentDim();

            Map<Long, String> expectedReasons = new LinkedHashMap<>();
            Map<Long, byte[]> sentPayloads = new LinkedHashMap<>();
            try (KafkaProducer<byte[], byte[]> raw = rawProducer(bootstrap);
                    DataSampleProducer data = new DataSampleProducer(bootstrap, topics.data());
                    LatentSampleProducer latents =
                            new LatentSampleProducer(bootstrap, topics.latent())) {
                byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
                send(
                        raw,
                        topics.data(),
                        garbage,
                        "not a DataSample",
                        expectedReasons,
                        sentPayloads);
                data.produce(RUN, PipelineFixture.fashionMnist(), 3, 0, half);
                send(
                        raw,
                        topics.data(),
                        dataSample(new float[10], 1, 10),
                        "the model takes 784",
                        expectedReasons,
                        sentPayloads);
                float[] withNan = new float[784];
                withNan[5] = Float.NaN;
                send(
                        raw,
                        topics.data(),
                        dataSample(withNan, 28, 28),
                        "pixel 5 is NaN",
                        expectedReasons,
                        sentPayloads);
                data.produce(RUN, PipelineFixture.fashionMnist(), 3, half, half);

                latents.produce(RUN, 3, latentDim, 0, half);
                send(
                        raw,
                        topics.latent(),
                        new byte[] {(byte) 0xC3, 0x01, 1, 2},
                        "not a LatentSample",
                        expectedReasons,
                        sentPayloads);
                send(
                        raw,
                        topics.latent(),
                        latentSample(latentDim + 1),
                        "prior has 9 values",
                        expectedReasons,
                        sentPayloads);
                latents.produce(RUN, 3, latentDim, half, half);
            }

            PipelineFixture.runJob(
                    bootstrap, topics, RUN, PipelineFixture.trainer(STEPS, 4), null, null);

            List<DeadLetter> letters =
                    PipelineFixture.readAll(
                            bootstrap,
                            topics.deadLetter(),
                            unchecked(DeadLetter.getDecoder()::decode));
            assertEquals(expectedReasons.size(), letters.size(), "dead letters: " + letters);
            for (DeadLetter letter : letters) {
                long key = key(letter.getSourceTopic(), letter.getSourceOffset());
                assertTrue(
                        letter.getReason().contains(expectedReasons.get(key)),
                        "reason of "
                                + letter.getSourceTopic()
                                + "@"
                                + letter.getSourceOffset()
                                + " was: "
                                + letter.getReason());
                assertArrayEquals(sentPayloads.get(key), bytes(letter.getPayload()));
            }

            List<TrainingMetrics> metrics =
                    PipelineFixture.readAll(
                            bootstrap,
                            topics.metrics(),
                            unchecked(TrainingMetrics.getDecoder()::decode));
            TrainingMetrics last = metrics.get(metrics.size() - 1);
            assertEquals(STEPS, last.getStep());
            assertEquals(expectedReasons.size(), last.getDeadLetters());
            assertEquals(0, last.getSkippedSteps());
        }
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
            byte[] value,
            String reason,
            Map<Long, String> reasons,
            Map<Long, byte[]> payloads)
            throws Exception {
        byte[] key = RUN.getBytes(StandardCharsets.UTF_8);
        long offset = producer.send(new ProducerRecord<>(topic, key, value)).get().offset();
        reasons.put(key(topic, offset), reason);
        payloads.put(key(topic, offset), value);
    }

    private static long key(String topic, long offset) {
        return (topic.endsWith(".latent") ? 1_000_000L : 0L) + offset;
    }

    private static byte[] dataSample(float[] pixels, int height, int width) throws Exception {
        List<Float> values = new ArrayList<>();
        for (float pixel : pixels) {
            values.add(pixel);
        }
        return bytes(
                DataSample.newBuilder()
                        .setRunId(RUN)
                        .setSequence(1_000_000)
                        .setSourceIndex(0)
                        .setLabel(-1)
                        .setHeight(height)
                        .setWidth(width)
                        .setPixels(values)
                        .build()
                        .toByteBuffer());
    }

    private static byte[] latentSample(int dimension) throws Exception {
        List<Float> values = Collections.nCopies(dimension, 0.5f);
        return bytes(
                LatentSample.newBuilder()
                        .setRunId(RUN)
                        .setSeed(3)
                        .setSequence(1_000_000)
                        .setPrior(values)
                        .setNoise(values)
                        .build()
                        .toByteBuffer());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
