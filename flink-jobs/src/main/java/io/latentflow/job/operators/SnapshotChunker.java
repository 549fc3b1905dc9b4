package io.latentflow.job.operators;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.ModelSnapshotChunk;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Cuts each model snapshot into pieces that fit Kafka's default message limit of 1 MB: the default
 * ali-mlp's snapshot is about 23 MB, more than a broker accepts unless its topic is configured for
 * it. All pieces of a snapshot are emitted for one input element, so no checkpoint barrier falls
 * between them and an exactly-once sink commits them together.
 */
public final class SnapshotChunker implements FlatMapFunction<ModelSnapshot, ModelSnapshotChunk> {
    /** Bytes of encoded snapshot per piece, with room left for the piece's own fields. */
    public static final int CHUNK_BYTES = 512 * 1024;

    private final int chunkBytes;

    public SnapshotChunker(int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunk size must be at least 1, was " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
    }

    @Override
    public void flatMap(ModelSnapshot snapshot, Collector<ModelSnapshotChunk> out) {
        byte[] encoded = AvroWireFormat.modelSnapshots().encode(snapshot);
        int chunks = Math.max(1, (encoded.length + chunkBytes - 1) / chunkBytes);
        for (int chunk = 0; chunk < chunks; chunk++) {
            int from = chunk * chunkBytes;
            int to = Math.min(encoded.length, from + chunkBytes);
            out.collect(
                    ModelSnapshotChunk.newBuilder()
                            .setRunId(snapshot.getRunId())
                            .setVersion(snapshot.getVersion())
                            .setStep(snapshot.getStep())
                            .setParameterHash(snapshot.getParameterHash())
                            .setChunk(chunk)
                            .setChunks(chunks)
                            .setSnapshotBytes(encoded.length)
                            .setBytes(ByteBuffer.wrap(Arrays.copyOfRange(encoded, from, to)))
                            .build());
        }
    }
}
