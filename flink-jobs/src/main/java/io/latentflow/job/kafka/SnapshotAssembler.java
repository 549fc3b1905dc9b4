package io.latentflow.job.kafka;

import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.ModelSnapshotChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Puts model snapshots back together from the pieces read off the snapshot topic, in any order. A
 * piece read twice (at-least-once delivery after a failure) is harmless; a snapshot is returned
 * once each time all its pieces have been seen.
 */
public final class SnapshotAssembler {
    private final Map<String, ByteBuffer[]> partial = new HashMap<>();

    /**
     * Takes one piece.
     *
     * @return the whole snapshot if this piece completed it
     * @throws IOException if the pieces do not make up a snapshot
     */
    public Optional<ModelSnapshot> add(ModelSnapshotChunk chunk) throws IOException {
        if (chunk.getChunk() < 0 || chunk.getChunk() >= chunk.getChunks()) {
            throw new IOException(
                    "Snapshot piece "
                            + chunk.getChunk()
                            + " of "
                            + chunk.getChunks()
                            + " of run "
                            + chunk.getRunId()
                            + " is out of range");
        }
        String key = chunk.getRunId() + "/" + chunk.getVersion() + "/" + chunk.getParameterHash();
        ByteBuffer[] pieces = partial.computeIfAbsent(key, k -> new ByteBuffer[chunk.getChunks()]);
        pieces[chunk.getChunk()] = chunk.getBytes();
        for (ByteBuffer piece : pieces) {
            if (piece == null) {
                return Optional.empty();
            }
        }
        partial.remove(key);

        ByteBuffer whole = ByteBuffer.allocate(Math.toIntExact(chunk.getSnapshotBytes()));
        for (ByteBuffer piece : pieces) {
            if (piece.remaining() > whole.remaining()) {
                throw new IOException(
                        "The pieces of snapshot version "
                                + chunk.getVersion()
                                + " of run "
                                + chunk.getRunId()
                                + " hold more than its "
                                + chunk.getSnapshotBytes()
                                + " bytes");
            }
            whole.put(piece.duplicate());
        }
        if (whole.hasRemaining()) {
            throw new IOException(
                    "The pieces of snapshot version "
                            + chunk.getVersion()
                            + " of run "
                            + chunk.getRunId()
                            + " hold fewer than its "
                            + chunk.getSnapshotBytes()
                            + " bytes");
        }
        return Optional.of(AvroWireFormat.modelSnapshots().decode(whole.array()));
    }
}
