package io.latentflow.job.operators;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Keeps each Kafka record's bytes and coordinates; it never fails, so no record is lost. */
public class KafkaPayloadDeserializer implements KafkaRecordDeserializationSchema<KafkaPayload> {

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaPayload> out) {
        out.collect(
                new KafkaPayload(
                        record.topic(), record.partition(), record.offset(), record.value()));
    }

    @Override
    public TypeInformation<KafkaPayload> getProducedType() {
        return TypeInformation.of(KafkaPayload.class);
    }
}
