package io.latentflow.core.model;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.optim.Adam;
import io.latentflow.core.optim.CurvatureMethod;
import io.latentflow.core.optim.HessianFreeConfig;
import io.latentflow.core.optim.SaddleFreeHessianFree;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The binary layout of an {@link AdversarialModel}'s training state.
 *
 * <p>In order: the int 0x4C464D53 ("LFMS"), the format version, the number of configuration entries
 * and each as two UTF strings (key, value) from {@link AdversarialConfig#describe()}, the data
 * type's name, the step, then for each network in the order of {@link
 * AdversarialModel#networkNames()}: the parameter count, the parameters, the Adam iteration, the
 * first moment and the second moment. Arrays are raw IEEE bits, big-endian, 4 or 8 bytes per value
 * as the data type says, so a round trip is bit-exact.
 *
 * <p>Version 2 is version 1 followed by the Hessian-free state of a model trained with {@link
 * SecondOrderTraining}: every field of its {@link HessianFreeConfig} (the method by name), the
 * curvature rows, then for each {@link AdversarialPlayer} in order the optimizer's iteration, its
 * damping and its previous step (its length, -1 for none, then float64 values). A model trained
 * with Adam is still written as version 1, byte for byte as before, and both versions are read.
 */
final class ModelStateFormat {
    private static final int MAGIC = 0x4C464D53;
    private static final int VERSION = 1;
    private static final int SECOND_ORDER_VERSION = 2;
    private static final int CHUNK = 1 << 16;

    private ModelStateFormat() {}

    static void write(AdversarialModel model, DataOutputStream out) throws IOException {
        Optional<SecondOrderTraining> secondOrder = model.secondOrderTraining();
        out.writeInt(MAGIC);
        out.writeInt(secondOrder.isPresent() ? SECOND_ORDER_VERSION : VERSION);
        Map<String, String> description = model.config().describe();
        out.writeInt(description.size());
        for (Map.Entry<String, String> entry : description.entrySet()) {
            out.writeUTF(entry.getKey());
            out.writeUTF(entry.getValue());
        }
        out.writeUTF(model.dataType().name());
        out.writeLong(model.step());
        for (String name : model.networkNames()) {
            FeedForwardNetwork network = model.network(name);
            Adam optimizer = model.optimizer(name);
            out.writeLong(network.parameterCount());
            writeArray(out, network.parameters());
            out.writeLong(optimizer.iteration());
            writeArray(out, optimizer.firstMoment());
            writeArray(out, optimizer.secondMoment());
        }
        if (secondOrder.isPresent()) {
            writeSecondOrder(model, secondOrder.get(), out);
        }
        out.flush();
    }

    private static void writeSecondOrder(
            AdversarialModel model, SecondOrderTraining training, DataOutputStream out)
            throws IOException {
        HessianFreeConfig config = training.optimizer();
        out.writeUTF(config.method().name());
        out.writeDouble(config.initialDamping());
        out.writeInt(config.maxInnerIterations());
        out.writeDouble(config.innerTolerance());
        out.writeDouble(config.quadratureTolerance());
        out.writeInt(config.lanczosSteps());
        out.writeDouble(config.warmStartDecay());
        out.writeDouble(config.sufficientDecrease());
        out.writeDouble(config.lineSearchShrink());
        out.writeInt(config.maxLineSearchSteps());
        out.writeInt(training.curvatureRows());
        for (AdversarialPlayer player : AdversarialPlayer.values()) {
            SaddleFreeHessianFree optimizer = model.hessianFreeOptimizer(player);
            out.writeLong(optimizer.iteration());
            out.writeDouble(optimizer.damping());
            double[] previous = optimizer.previousStep();
            out.writeInt(previous == null ? -1 : previous.length);
            if (previous != null) {
                ByteBuffer bytes =
                        ByteBuffer.allocate(previous.length * Double.BYTES)
                                .order(ByteOrder.BIG_ENDIAN);
                bytes.asDoubleBuffer().put(previous);
                out.write(bytes.array());
            }
        }
    }

    private static void readSecondOrder(AdversarialModel model, DataInputStream in)
            throws IOException {
        SecondOrderTraining training;
        try {
            HessianFreeConfig config =
                    new HessianFreeConfig(
                            CurvatureMethod.valueOf(in.readUTF()),
                            in.readDouble(),
                            in.readInt(),
                            in.readDouble(),
                            in.readDouble(),
                            in.readInt(),
                            in.readDouble(),
                            in.readDouble(),
                            in.readDouble(),
                            in.readInt());
            training = new SecondOrderTraining(config, in.readInt());
        } catch (IllegalArgumentException e) {
            throw new IOException("unreadable Hessian-free state: " + e.getMessage(), e);
        }
        model.useSecondOrder(training);
        for (AdversarialPlayer player : AdversarialPlayer.values()) {
            long iteration = in.readLong();
            double damping = in.readDouble();
            int length = in.readInt();
            double[] previous = null;
            if (length >= 0) {
                byte[] raw = new byte[Math.multiplyExact(length, Double.BYTES)];
                in.readFully(raw);
                previous = new double[length];
                ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN).asDoubleBuffer().get(previous);
            }
            try {
                model.hessianFreeOptimizer(player).restore(iteration, damping, previous);
            } catch (IllegalArgumentException e) {
                throw new IOException(
                        "unreadable Hessian-free state of the " + player + ": " + e.getMessage(),
                        e);
            }
        }
    }

    static AdversarialModel read(DataInputStream in) throws IOException {
        int magic = in.readInt();
        int version = in.readInt();
        if (magic != MAGIC || (version != VERSION && version != SECOND_ORDER_VERSION)) {
            throw new IOException(
                    String.format(
                            "not a LatentFlow model state of version %d or %d: magic %08x,"
                                    + " version %d",
                            VERSION, SECOND_ORDER_VERSION, magic, version));
        }
        int entries = in.readInt();
        Map<String, String> description = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            description.put(in.readUTF(), in.readUTF());
        }
        AdversarialConfig config;
        DataType dataType;
        try {
            config = AdversarialConfig.fromDescription(description);
            dataType = DataType.valueOf(in.readUTF());
        } catch (IllegalArgumentException e) {
            throw new IOException("unreadable model state header: " + e.getMessage(), e);
        }
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IOException("model state has unsupported data type " + dataType);
        }

        AdversarialModel model = AdversarialModel.create(config, dataType);
        model.restoreStep(in.readLong());
        for (String name : model.networkNames()) {
            FeedForwardNetwork network = model.network(name);
            long count = in.readLong();
            if (count != network.parameterCount()) {
                throw new IOException(
                        name
                                + " has "
                                + count
                                + " parameters in the state but "
                                + network.parameterCount()
                                + " in its configuration");
            }
            network.parameters().assign(readArray(in, dataType, count));
            long iteration = in.readLong();
            INDArray firstMoment = readArray(in, dataType, count);
            INDArray secondMoment = readArray(in, dataType, count);
            model.optimizer(name).restore(iteration, firstMoment, secondMoment);
        }
        if (version == SECOND_ORDER_VERSION) {
            readSecondOrder(model, in);
        }
        return model;
    }

    private static void writeArray(DataOutputStream out, INDArray flat) throws IOException {
        if (flat.dataType() == DataType.DOUBLE) {
            double[] values = flat.toDoubleVector();
            ByteBuffer bytes =
                    ByteBuffer.allocate(CHUNK * Double.BYTES).order(ByteOrder.BIG_ENDIAN);
            for (int start = 0; start < values.length; start += CHUNK) {
                int length = Math.min(CHUNK, values.length - start);
                bytes.clear();
                bytes.asDoubleBuffer().put(values, start, length);
                out.write(bytes.array(), 0, length * Double.BYTES);
            }
        } else {
            float[] values = flat.toFloatVector();
            ByteBuffer bytes = ByteBuffer.allocate(CHUNK * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
            for (int start = 0; start < values.length; start += CHUNK) {
                int length = Math.min(CHUNK, values.length - start);
                bytes.clear();
                bytes.asFloatBuffer().put(values, start, length);
                out.write(bytes.array(), 0, length * Float.BYTES);
            }
        }
    }

    private static INDArray readArray(DataInputStream in, DataType dataType, long count)
            throws IOException {
        int size = Math.toIntExact(count);
        if (dataType == DataType.DOUBLE) {
            double[] values = new double[size];
            ByteBuffer bytes =
                    ByteBuffer.allocate(CHUNK * Double.BYTES).order(ByteOrder.BIG_ENDIAN);
            for (int start = 0; start < size; start += CHUNK) {
                int length = Math.min(CHUNK, size - start);
                in.readFully(bytes.array(), 0, length * Double.BYTES);
                bytes.clear();
                bytes.asDoubleBuffer().get(values, start, length);
            }
            return Nd4j.createFromArray(values);
        }
        float[] values = new float[size];
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
        for (int start = 0; start < size; start += CHUNK) {
            int length = Math.min(CHUNK, size - start);
            in.readFully(bytes.array(), 0, length * Float.BYTES);
            bytes.clear();
            bytes.asFloatBuffer().get(values, start, length);
        }
        return Nd4j.createFromArray(values);
    }
}
