package io.latentflow.job.operators;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Keys output records by their run id, so that each run's records stay in order in a partition. */
public final class RunIdKeySerializer<T> implements SerializationSchema<T> {
    private final SerializableRunId<T> runIdOf;

    public RunIdKeySerializer(SerializableRunId<T> runIdOf) {
        this.runIdOf = runIdOf;
    }

    @Override
    public byte[] serialize(T record) {
        return runIdOf.apply(record).getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the run id of an output record. */
    public interface SerializableRunId<T> extends Function<T, String>, java.io.Serializable {}
}
