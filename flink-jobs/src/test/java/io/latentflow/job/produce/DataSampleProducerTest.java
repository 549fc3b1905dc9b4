package io.latentflow.job.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.DataSample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class DataSampleProducerTest {

    @Test
    void recordsFollowTheEpochOrderAcrossEpochs() throws IOException {
        SyntheticImages images = new SyntheticImages(10, 2, 3);
        MockProducer<byte[], byte[]> kafka = mockProducer(true);
        ProducedRange range;
        try (DataSampleProducer producer = new DataSampleProducer(kafka, "data")) {
            range = producer.produce("run-1", images, 99, 25);
        }

        assertEquals(new ProducedRange("data", 0, 0, 24, 0, 24), range);
        List<ProducerRecord<byte[], byte[]>> sent = kafka.history();
        assertEquals(25, sent.size());
        EpochOrder order = new EpochOrder(99, 10);
        for (int sequence = 0; sequence < 25; sequence++) {
            ProducerRecord<byte[], byte[]> record = sent.get(sequence);
            DataSample sample = AvroWireFormat.dataSamples().decode(record.value());
            int index = order.indexAt(sequence);
            assertEquals("run-1", new String(record.key(), StandardCharsets.UTF_8));
            assertEquals(sequence, sample.getSequence());
            assertEquals(index, sample.getSourceIndex());
            assertEquals(index % 10, sample.getLabel());
            assertEquals(SyntheticImages.pixel(index, 5), sample.getPixels().get(5));
        }
    }

    @Test
    void aStreamStartedMidwayMatchesTheFullStream() throws IOException {
        SyntheticImages images = new SyntheticImages(7, 1, 1);
        MockProducer<byte[], byte[]> kafka = mockProducer(true);
        try (DataSampleProducer producer = new DataSampleProducer(kafka, "data")) {
            producer.produce("run", images, 3, 12, 5);
        }

        EpochOrder order = new EpochOrder(3, 7);
        for (int i = 0; i < 5; i++) {
            DataSample sample = AvroWireFormat.dataSamples().decode(kafka.history().get(i).value());
            assertEquals(12 + i, sample.getSequence());
            assertEquals(order.indexAt(12 + i), sample.getSourceIndex());
        }
    }

    @Test
    void aFailedSendIsReportedWithItsSequence() {
        // The broker rejects the first record still waiting for its answer when flushed.
        MockProducer<byte[], byte[]> kafka =
                new MockProducer<>(
                        false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public synchronized void flush() {
                        errorNext(new KafkaException("broker unavailable"));
                        super.flush();
                    }
                };
        try (DataSampleProducer producer = new DataSampleProducer(kafka, "data")) {
            KafkaException failure =
                    assertThrows(
                            KafkaException.class,
                            () -> producer.produce("run", new SyntheticImages(3, 1, 1), 1, 5, 3));

            assertEquals(
                    "Writing run run to topic data failed at sequence 5", failure.getMessage());
            assertEquals("broker unavailable", failure.getCause().getMessage());
        }
    }

    private static MockProducer<byte[], byte[]> mockProducer(boolean autoComplete) {
        return new MockProducer<>(
                autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
