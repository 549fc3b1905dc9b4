package io.latentflow.job.operators;

import io.latentflow.job.kafka.AvroWireFormat;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Writes the values of a Kafka sink in LatentFlow's wire format, single-object Avro. */
public final class AvroValueSerializer<T extends SpecificRecord> implements SerializationSchema<T> {
    private final AvroWireFormat<T> wireFormat;

    public AvroValueSerializer(Class<T> recordClass) {
        this.wireFormat = AvroWireFormat.of(recordClass);
    }

    @Override
    public byte[] serialize(T record) {
        return wireFormat.encode(record);
    }
}
