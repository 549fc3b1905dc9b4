package io.latentflow.job.operators;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Keys output records by a string they carry: metrics and snapshots by run id, so that each run's
 * records stay in order in one partition; dead letters by their source topic.
 */
public final class RecordKeySerializer<T> implements SerializationSchema<T> {
    private final SerializableKey<T> keyOf;

    public RecordKeySerializer(SerializableKey<T> keyOf) {
        this.keyOf = keyOf;
    }

    @Override
    public byte[] serialize(T record) {
        return keyOf.apply(record).getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the key of an output record. */
    public interface SerializableKey<T> extends Function<T, String>, java.io.Serializable {}
}
