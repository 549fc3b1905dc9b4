package io.latentflow.core.model;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.GradientTarget;
import io.latentflow.core.nn.OutputActivation;
import io.latentflow.core.optim.Adam;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Adversarially learned inference (ALI) of Dumoulin et al. (<a
 * href="https://arxiv.org/abs/1606.00704">arXiv:1606.00704</a>) with multilayer-perceptron
 * networks: a generator G maps a prior code z to data, a stochastic encoder E maps data x to a
 * Gaussian code z_hat = mu(x) + exp(log sigma(x)) * eps, and a discriminator D scores joint pairs
 * (x, z) with one logit, learning to tell encoder pairs (x, z_hat) from generator pairs (G(z), z).
 *
 * <p>Each {@link #trainStep} computes the discriminator's gradient of L_D and the generator's and
 * encoder's gradients of L_GE, all with the same current parameters, then applies one Adam (<a
 * href="https://arxiv.org/abs/1412.6980">arXiv:1412.6980</a>) step to each network. The generator's
 * output passes through a sigmoid so that it lies in (0, 1) like the data.
 *
 * <p>Randomness enters only through the initial weights, drawn from a {@link SplittableRandom}
 * seeded by the caller, and through the prior and noise batches the caller passes in, so a seed and
 * a sequence of batches determine every parameter. Instances are not thread-safe.
 */
public final class Ali {
    static final List<String> NETWORK_NAMES = List.of("generator", "encoder", "discriminator");

    private static final int HASH_CHUNK = 1 << 16;

    private final AliConfig config;
    private final DataType dataType;
    private final FeedForwardNetwork generator;
    private final FeedForwardNetwork encoder;
    private final FeedForwardNetwork discriminator;
    private final Adam generatorOptimizer;
    private final Adam encoderOptimizer;
    private final Adam discriminatorOptimizer;
    private long step;

    private final StepBuffers buffers = new StepBuffers();

    Ali(AliConfig config, DataType dataType) {
        this.config = config;
        this.dataType = dataType;
        int data = config.dataDim();
        int latent = config.latentDim();
        this.generator = network(latent, data, OutputActivation.SIGMOID);
        this.encoder = network(data, 2 * latent, OutputActivation.IDENTITY);
        this.discriminator = network(data + latent, 1, OutputActivation.IDENTITY);
        this.generatorOptimizer = optimizer(generator);
        this.encoderOptimizer = optimizer(encoder);
        this.discriminatorOptimizer = optimizer(discriminator);
    }

    private FeedForwardNetwork network(int inputs, int outputs, OutputActivation activation) {
        int[] widths = new int[config.hiddenLayers() + 2];
        Arrays.fill(widths, config.hiddenUnits());
        widths[0] = inputs;
        widths[widths.length - 1] = outputs;
        return new FeedForwardNetwork(widths, config.leakySlope(), activation, dataType);
    }

    private Adam optimizer(FeedForwardNetwork network) {
        return new Adam(
                config.learningRate(),
                config.beta1(),
                config.beta2(),
                Adam.DEFAULT_EPSILON,
                network.parameterCount(),
                dataType);
    }

    /**
     * Creates a model with PyTorch-style uniform initial weights drawn from one split of a
     * SplittableRandom seeded with seed per network, in the order generator, encoder,
     * discriminator.
     *
     * @param dataType FLOAT for training, DOUBLE for gradient checks
     */
    public static Ali initialize(AliConfig config, long seed, DataType dataType) {
        Ali model = new Ali(config, dataType);
        SplittableRandom runRandom = new SplittableRandom(seed);
        model.generator.initializeUniform(runRandom.split());
        model.encoder.initializeUniform(runRandom.split());
        model.discriminator.initializeUniform(runRandom.split());
        return model;
    }

    /**
     * Creates a float32 model from flat parameter vectors, as {@link #parameters()} lays them out,
     * with a fresh optimizer and step 0. Meant for rendering samples from a snapshot.
     *
     * @param parameters "generator", "encoder" and "discriminator" to their flat vectors
     */
    public static Ali fromParameters(AliConfig config, Map<String, float[]> parameters) {
        Ali model = new Ali(config, DataType.FLOAT);
        for (String name : NETWORK_NAMES) {
            float[] values = parameters.get(name);
            FeedForwardNetwork network = model.network(name);
            if (values == null || values.length != network.parameterCount()) {
                throw new IllegalArgumentException(
                        name
                                + " needs "
                                + network.parameterCount()
                                + " parameters, got "
                                + (values == null ? "none" : values.length));
            }
            network.parameters().assign(Nd4j.createFromArray(values));
        }
        return model;
    }

    /**
     * Runs one training step on a batch: computes both losses and all gradients and applies the
     * Adam updates only if every loss and gradient is finite. Otherwise it leaves parameters and
     * optimizer state untouched and returns applied = false. A gradient is judged by its L2 norm,
     * so finite entries whose squares overflow the data type also count as not finite.
     *
     * @param x data [B, dataDim] in [0, 1]
     * @param prior prior codes z [B, latentDim]
     * @param noise standard normal noise eps [B, latentDim] for the encoder's codes
     */
    public AliStepResult trainStep(INDArray x, INDArray prior, INDArray noise) {
        AliStepResult result = computeGradients(x, prior, noise);
        if (!result.allFinite()) {
            return result;
        }
        discriminatorOptimizer.update(discriminator.parameters(), discriminator.gradient());
        generatorOptimizer.update(generator.parameters(), generator.gradient());
        encoderOptimizer.update(encoder.parameters(), encoder.gradient());
        step++;
        return result.withApplied(true);
    }

    /**
     * Computes both losses and writes the gradient of L_D into the discriminator's flat gradient
     * and the gradients of L_GE into the generator's and encoder's, without changing parameters.
     * The result's applied flag is false.
     */
    AliStepResult computeGradients(INDArray x, INDArray prior, INDArray noise) {
        int batch = checkBatch(x, prior, noise);
        INDArray data = inDataType(x);
        INDArray priorCode = inDataType(prior);
        INDArray encoderNoise = inDataType(noise);
        buffers.ensureBatch(batch);

        // z_hat = mu + exp(log sigma) * eps; the encoder pair (x, z_hat) fills the first B rows
        // of the discriminator's input and the generator pair (G(z), z) the last B rows.
        INDArray encoded = encoder.forward(data);
        INDArray mean = encoded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent()));
        INDArray logSigma =
                encoded.get(NDArrayIndex.all(), NDArrayIndex.interval(latent(), 2 * latent()));
        Nd4j.exec(new Exp(logSigma, buffers.scaledNoise));
        buffers.scaledNoise.muli(encoderNoise);
        mean.add(buffers.scaledNoise, buffers.realCode);
        buffers.realData.assign(data);
        buffers.fakeData.assign(generator.forward(priorCode));
        buffers.fakeCode.assign(priorCode);

        INDArray logits = discriminator.forward(buffers.discriminatorInput);
        AliObjective objective = new AliObjective(logits.toDoubleVector());

        long[] logitShape = {2L * batch, 1};
        discriminator.backward(
                Nd4j.create(objective.discriminatorLogitGradient, logitShape, dataType),
                GradientTarget.PARAMETERS);
        INDArray inputGradient =
                discriminator.backward(
                        Nd4j.create(objective.generatorLogitGradient, logitShape, dataType),
                        GradientTarget.INPUT);

        // dL/dmu = dL/dz_hat and dL/d(log sigma) = dL/dz_hat * exp(log sigma) * eps
        INDArray codeGradient =
                inputGradient.get(
                        NDArrayIndex.interval(0, batch),
                        NDArrayIndex.interval(dataDim(), dataDim() + latent()));
        buffers.meanGradient.assign(codeGradient);
        codeGradient.mul(buffers.scaledNoise, buffers.logSigmaGradient);
        encoder.backward(buffers.encoderOutputGradient, GradientTarget.PARAMETERS);

        INDArray generatedGradient =
                inputGradient.get(
                        NDArrayIndex.interval(batch, 2 * batch),
                        NDArrayIndex.interval(0, dataDim()));
        generator.backward(generatedGradient, GradientTarget.PARAMETERS);

        return new AliStepResult(
                objective.discriminatorLoss,
                objective.generatorLoss,
                objective.meanRealScore,
                objective.meanFakeScore,
                objective.discriminatorAccuracy,
                discriminator.gradient().norm2Number().doubleValue(),
                generator.gradient().norm2Number().doubleValue(),
                encoder.gradient().norm2Number().doubleValue(),
                false);
    }

    private int checkBatch(INDArray x, INDArray prior, INDArray noise) {
        checkMatrix("x", x, dataDim());
        checkMatrix("prior", prior, latent());
        checkMatrix("noise", noise, latent());
        if (prior.rows() != x.rows() || noise.rows() != x.rows() || x.rows() == 0) {
            throw new IllegalArgumentException(
                    "x, prior and noise must have the same positive number of rows: "
                            + x.rows()
                            + ", "
                            + prior.rows()
                            + ", "
                            + noise.rows());
        }
        return Math.toIntExact(x.rows());
    }

    private static void checkMatrix(String name, INDArray array, int columns) {
        if (array.rank() != 2 || array.columns() != columns) {
            throw new IllegalArgumentException(
                    name
                            + " must be [batch, "
                            + columns
                            + "] but is "
                            + Arrays.toString(array.shape()));
        }
    }

    private INDArray inDataType(INDArray array) {
        return array.dataType() == dataType ? array : array.castTo(dataType);
    }

    /** Returns sigmoid(G(z)) [B, dataDim] for prior codes z [B, latentDim], in a new array. */
    public INDArray generate(INDArray prior) {
        checkMatrix("prior", prior, latent());
        return generator.infer(inDataType(prior));
    }

    /** Returns sigmoid(G(mu(x))) [B, dataDim], decoding the encoder's mean code of each row. */
    public INDArray reconstruct(INDArray x) {
        checkMatrix("x", x, dataDim());
        INDArray encoded = encoder.infer(inDataType(x));
        INDArray mean = encoded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent()));
        return generator.infer(mean.dup('c'));
    }

    /** Returns the mean over batch and features of (sigmoid(G(mu(x))) - x)^2. */
    public double reconstructionError(INDArray x) {
        INDArray reconstruction = reconstruct(x);
        return reconstruction.squaredDistance(inDataType(x)) / reconstruction.length();
    }

    /** Returns the number of updates applied. */
    public long step() {
        return step;
    }

    /** Returns the configuration this model was built with. */
    public AliConfig config() {
        return config;
    }

    /** Returns the data type of parameters and arithmetic, FLOAT or DOUBLE. */
    public DataType dataType() {
        return dataType;
    }

    /**
     * Returns a copy of each network's flat parameter vector, "generator", "encoder" and
     * "discriminator" in that order. A network's vector holds its dense layers from input to
     * output, each as its weight matrix [inputs, outputs] in row-major order followed by its bias.
     */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> copies = new LinkedHashMap<>();
        for (String name : NETWORK_NAMES) {
            copies.put(name, network(name).parameters().dup());
        }
        return copies;
    }

    /**
     * Returns the SHA-256 digest, in lower-case hex, of every network's parameters as float32
     * big-endian, networks in the order of {@link #parameters()}.
     */
    public String parameterHash() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        ByteBuffer bytes =
                ByteBuffer.allocate(HASH_CHUNK * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
        for (String name : NETWORK_NAMES) {
            INDArray flat = network(name).parameters();
            float[] values =
                    (flat.dataType() == DataType.FLOAT ? flat : flat.castTo(DataType.FLOAT))
                            .toFloatVector();
            for (int start = 0; start < values.length; start += HASH_CHUNK) {
                int length = Math.min(HASH_CHUNK, values.length - start);
                bytes.clear();
                bytes.asFloatBuffer().put(values, start, length);
                digest.update(bytes.array(), 0, length * Float.BYTES);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Writes the complete training state: configuration, data type, step, and per network its
     * parameters and Adam moments and counter, values as raw big-endian bits.
     */
    public void writeState(DataOutputStream out) throws IOException {
        AliStateFormat.write(this, out);
    }

    /**
     * Reads a model written by {@link #writeState}; training it further gives bit for bit the same
     * parameters as training the original would.
     */
    public static Ali readState(DataInputStream in) throws IOException {
        return AliStateFormat.read(in);
    }

    FeedForwardNetwork network(String name) {
        return switch (name) {
            case "generator" -> generator;
            case "encoder" -> encoder;
            case "discriminator" -> discriminator;
            default -> throw new IllegalArgumentException("no network named " + name);
        };
    }

    Adam optimizer(String name) {
        return switch (name) {
            case "generator" -> generatorOptimizer;
            case "encoder" -> encoderOptimizer;
            case "discriminator" -> discriminatorOptimizer;
            default -> throw new IllegalArgumentException("no network named " + name);
        };
    }

    void restoreStep(long restoredStep) {
        this.step = restoredStep;
    }

    private int dataDim() {
        return config.dataDim();
    }

    private int latent() {
        return config.latentDim();
    }

    /**
     * Per-step arrays reused while the batch size stays the same, with the views into them that the
     * forward and backward passes write through.
     */
    private final class StepBuffers {
        private int batch = -1;
        private INDArray discriminatorInput;
        private INDArray realData;
        private INDArray realCode;
        private INDArray fakeData;
        private INDArray fakeCode;
        private INDArray scaledNoise;
        private INDArray encoderOutputGradient;
        private INDArray meanGradient;
        private INDArray logSigmaGradient;

        private void ensureBatch(int newBatch) {
            if (newBatch == batch) {
                return;
            }
            int data = dataDim();
            int latent = latent();
            discriminatorInput = Nd4j.create(dataType, 2L * newBatch, data + latent);
            realData = block(discriminatorInput, 0, newBatch, 0, data);
            realCode = block(discriminatorInput, 0, newBatch, data, data + latent);
            fakeData = block(discriminatorInput, newBatch, 2 * newBatch, 0, data);
            fakeCode = block(discriminatorInput, newBatch, 2 * newBatch, data, data + latent);
            scaledNoise = Nd4j.create(dataType, newBatch, latent);
            encoderOutputGradient = Nd4j.create(dataType, newBatch, 2L * latent);
            meanGradient = block(encoderOutputGradient, 0, newBatch, 0, latent);
            logSigmaGradient = block(encoderOutputGradient, 0, newBatch, latent, 2 * latent);
            batch = newBatch;
        }

        private INDArray block(INDArray array, int rowStart, int rowEnd, int colStart, int colEnd) {
            return array.get(
                    NDArrayIndex.interval(rowStart, rowEnd),
                    NDArrayIndex.interval(colStart, colEnd));
        }
    }
}
