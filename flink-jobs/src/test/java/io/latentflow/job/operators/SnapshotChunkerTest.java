package io.latentflow.job.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.kafka.SnapshotAssembler;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.ModelSnapshotChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class SnapshotChunkerTest {

    @Test
    void piecesInAnyOrderWithRepeatsAssembleToTheSameSnapshotOnce() throws IOException {
        ModelSnapshot snapshot = snapshot(300_000);
        List<ModelSnapshotChunk> chunks = chunk(snapshot, 100_000);
        assertEquals(13, chunks.size(), "1.2 MB of floats in pieces of 100 kB");
        for (ModelSnapshotChunk chunk : chunks) {
            assertTrue(chunk.getBytes().remaining() <= 100_000);
            assertEquals(7, chunk.getVersion());
        }

        List<ModelSnapshotChunk> shuffled = new ArrayList<>(chunks);
        shuffled.add(chunks.get(3));
        Collections.shuffle(shuffled, new Random(5));
        // Piece 3 arrives twice, once at the very start.
        shuffled.remove(chunks.get(3));
        shuffled.add(0, chunks.get(3));
        SnapshotAssembler assembler = new SnapshotAssembler();
        List<ModelSnapshot> assembled = new ArrayList<>();
        for (ModelSnapshotChunk chunk : shuffled) {
            assembler.add(chunk).ifPresent(assembled::add);
        }

        assertEquals(List.of(snapshot), assembled);
    }

    @Test
    void aPieceThatDoesNotFitIsAnError() throws IOException {
        List<ModelSnapshotChunk> chunks = chunk(snapshot(1000), 1500);
        ModelSnapshotChunk last = chunks.get(chunks.size() - 1);
        last.setBytes(ByteBuffer.wrap(new byte[last.getBytes().remaining() + 1]));
        SnapshotAssembler assembler = new SnapshotAssembler();
        for (int i = 0; i < chunks.size() - 1; i++) {
            assertEquals(Optional.empty(), assembler.add(chunks.get(i)));
        }

        assertThrows(IOException.class, () -> assembler.add(last));
    }

    private static List<ModelSnapshotChunk> chunk(ModelSnapshot snapshot, int bytes) {
        List<ModelSnapshotChunk> chunks = new ArrayList<>();
        new SnapshotChunker(bytes)
                .flatMap(
                        snapshot,
                        new Collector<>() {
                            @Override
                            public void collect(ModelSnapshotChunk record) {
                                chunks.add(record);
                            }

                            @Override
                            public void close() {}
                        });
        return chunks;
    }

    private static ModelSnapshot snapshot(int floats) {
        Random random = new Random(3);
        ByteBuffer values = ByteBuffer.allocate(floats * Float.BYTES);
        for (int i = 0; i < floats; i++) {
            values.putFloat(random.nextFloat());
        }
        values.flip();
        return ModelSnapshot.newBuilder()
                .setRunId("chunked")
                .setModel("ali-mlp")
                .setSeed(1)
                .setStep(70)
                .setVersion(7)
                .setConfiguration(Map.of("hiddenUnits", "64"))
                .setParameterHash("0".repeat(64))
                .setNetworks(Map.of("generator", values))
                .build();
    }
}
