package io.latentflow.job.operators;

import io.latentflow.core.model.AdversarialModel;
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
 * Writes an adversarial model (ALI or GAN) with its optimizer state into Flink state, bit for bit,
 * so that a job restored from a checkpoint trains on exactly as it would have.
 *
 * <p>With the heap state backend the model is only serialized at checkpoints; between them the
 * trainer updates it in place.
 */
public final class AdversarialModelSerializer extends TypeSerializerSingleton<AdversarialModel> {
    public static final AdversarialModelSerializer INSTANCE = new AdversarialModelSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public AdversarialModel createInstance() {
        return null;
    }

    @Override
    public AdversarialModel copy(AdversarialModel from) {
        if (from == null) {
            return null;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                from.writeState(out);
            }
            return AdversarialModel.readState(
                    new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy the model state", e);
        }
    }

    @Override
    public AdversarialModel copy(AdversarialModel from, AdversarialModel reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(AdversarialModel model, DataOutputView target) throws IOException {
        DataOutputStream out = new DataOutputStream(new DataOutputViewStream(target));
        model.writeState(out);
        out.flush();
    }

    @Override
    public AdversarialModel deserialize(DataInputView source) throws IOException {
        return AdversarialModel.readState(new DataInputStream(new DataInputViewStream(source)));
    }

    @Override
    public AdversarialModel deserialize(AdversarialModel reuse, DataInputView source)
            throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<AdversarialModel> snapshotConfiguration() {
        return new AdversarialModelSerializerSnapshot();
    }

    /** Lets a restored job find this serializer again. */
    public static final class AdversarialModelSerializerSnapshot
            extends SimpleTypeSerializerSnapshot<AdversarialModel> {
        public AdversarialModelSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
