package io.latentflow.job.operators;

import io.latentflow.core.model.Ali;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.java.typeutils.runtime.DataInputViewStream;
import org.apache.flink.api.java.typeutils.runtime.DataOutputViewStream;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes an ALI model with its optimizer state into Flink state, bit for bit, so that a job
 * restored from a checkpoint trains on exactly as it would have.
 *
 * <p>With the heap state backend the model is only serialized at checkpoints; between them the
 * trainer updates it in place.
 */
public final class AliSerializer extends TypeSerializerSingleton<Ali> {
    public static final AliSerializer INSTANCE = new AliSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Ali createInstance() {
        return null;
    }

    @Override
    public Ali copy(Ali from) {
        if (from == null) {
            return null;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                from.writeState(out);
            }
            return Ali.readState(
                    new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy the ALI model state", e);
        }
    }

    @Override
    public Ali copy(Ali from, Ali reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Ali model, DataOutputView target) throws IOException {
        DataOutputStream out = new DataOutputStream(new DataOutputViewStream(target));
        model.writeState(out);
        out.flush();
    }

    @Override
    public Ali deserialize(DataInputView source) throws IOException {
        return Ali.readState(new DataInputStream(new DataInputViewStream(source)));
    }

    @Override
    public Ali deserialize(Ali reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<Ali> snapshotConfiguration() {
        return new AliSerializerSnapshot();
    }

    /** Lets a restored job find this serializer again. */
    public static final class AliSerializerSnapshot extends SimpleTypeSerializerSnapshot<Ali> {
        public AliSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
