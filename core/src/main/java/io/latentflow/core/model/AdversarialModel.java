package io.latentflow.core.model;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.OutputActivation;
import io.latentflow.core.optim.Adam;
import io.latentflow.core.optim.HessianFreeStep;
import io.latentflow.core.optim.SaddleFreeHessianFree;
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
import java.util.Optional;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A generator and a discriminator (and for ALI an encoder) of multilayer perceptrons, trained
 * against each other with one Adam (<a href="https://arxiv.org/abs/1412.6980">arXiv:1412.6980</a>)
 * optimizer per network.
 *
 * <p>Each {@link #trainStep} computes the discriminator's gradient of L_D and the gradients of the
 * generator's {@link GeneratorCost}, all with the same current parameters, then applies one Adam
 * step to each network. {@link #evaluate} and {@link #trainDiscriminator} serve the experiments of
 * Arjovsky and Bottou (<a href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>), which
 * train a discriminator against a frozen generator and measure the generator's gradients.
 *
 * <p>With {@link #useSecondOrder}, each update is instead one Hessian-free step per player
 * (saddle-free, Newton-CG or Gauss-Newton, {@link SaddleFreeHessianFree}) with the exact curvature
 * products of {@link AdversarialCurvature}: first the discriminator's on L_D with the generator
 * fixed, then the generator's (with ALI's encoder) on its cost against the discriminator just
 * updated, as Goodfellow et al.'s algorithm 1 alternates with k = 1. A Hessian-free step is a line
 * search on its own player's loss, which a simultaneous update of both players would not keep. Adam
 * training is unchanged by this mode's existence.
 *
 * <p>Randomness enters only through the initial weights, drawn from a {@link SplittableRandom}
 * seeded by the caller, and through the batches the caller passes in, so a seed and a sequence of
 * batches determine every parameter. Instances are not thread-safe.
 */
public abstract sealed class AdversarialModel permits Ali, Gan {
    static final String GENERATOR = "generator";
    static final String ENCODER = "encoder";
    static final String DISCRIMINATOR = "discriminator";

    private static final int HASH_CHUNK = 1 << 16;

    final AdversarialConfig config;
    final DataType dataType;
    private final Map<String, FeedForwardNetwork> networks = new LinkedHashMap<>();
    private final Map<String, Adam> optimizers = new LinkedHashMap<>();
    private long step;
    private SecondOrderTraining secondOrder;
    private final Map<AdversarialPlayer, SaddleFreeHessianFree> hessianFree = new LinkedHashMap<>();
    private HessianFreeSteps lastHessianFreeSteps;

    AdversarialModel(AdversarialConfig config, DataType dataType) {
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException(
                    "models compute in FLOAT or DOUBLE, not " + dataType);
        }
        this.config = config;
        this.dataType = dataType;
    }

    /** Adds a network with the configured hidden layers and an Adam optimizer of its own. */
    final FeedForwardNetwork addNetwork(
            String name, int inputs, int outputs, OutputActivation activation) {
        int[] widths = new int[config.hiddenLayers() + 2];
        Arrays.fill(widths, config.hiddenUnits());
        widths[0] = inputs;
        widths[widths.length - 1] = outputs;
        FeedForwardNetwork network =
                new FeedForwardNetwork(widths, config.leakySlope(), activation, dataType);
        networks.put(name, network);
        optimizers.put(name, newOptimizer(network));
        return network;
    }

    private Adam newOptimizer(FeedForwardNetwork network) {
        return new Adam(
                config.learningRate(),
                config.beta1(),
                config.beta2(),
                Adam.DEFAULT_EPSILON,
                network.parameterCount(),
                dataType);
    }

    /** Creates the configured model with unset weights. */
    static AdversarialModel create(AdversarialConfig config, DataType dataType) {
        return switch (config.model()) {
            case ALI -> new Ali(config, dataType);
            case GAN -> new Gan(config, dataType);
        };
    }

    /**
     * Creates a model with PyTorch-style uniform initial weights, each network's from one split of
     * a SplittableRandom seeded with seed, in the order of {@link #networkNames()}.
     *
     * @param dataType FLOAT for training, DOUBLE for gradient checks
     */
    public static AdversarialModel initialize(
            AdversarialConfig config, long seed, DataType dataType) {
        AdversarialModel model = create(config, dataType);
        SplittableRandom runRandom = new SplittableRandom(seed);
        for (FeedForwardNetwork network : model.networks.values()) {
            network.initializeUniform(runRandom.split());
        }
        return model;
    }

    /**
     * Creates a float32 model from flat parameter vectors, as {@link #parameters()} lays them out,
     * with fresh optimizers and step 0. Meant for rendering samples from a snapshot and for probing
     * a trained generator.
     *
     * @param parameters each of {@link #networkNames()} to its flat vector
     */
    public static AdversarialModel fromParameters(
            AdversarialConfig config, Map<String, float[]> parameters) {
        AdversarialModel model = create(config, DataType.FLOAT);
        for (Map.Entry<String, FeedForwardNetwork> entry : model.networks.entrySet()) {
            float[] values = parameters.get(entry.getKey());
            FeedForwardNetwork network = entry.getValue();
            if (values == null || values.length != network.parameterCount()) {
                throw new IllegalArgumentException(
                        entry.getKey()
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
     */
    public AdversarialStepResult trainStep(AdversarialBatch batch) {
        lastHessianFreeSteps = null;
        AdversarialStepResult result = computeGradients(batch, config.generatorCost());
        if (!result.allFinite()) {
            return result;
        }
        if (secondOrder != null) {
            return trainStepHessianFree(batch, result);
        }
        for (Map.Entry<String, FeedForwardNetwork> entry : networks.entrySet()) {
            FeedForwardNetwork network = entry.getValue();
            optimizers.get(entry.getKey()).update(network.parameters(), network.gradient());
        }
        step++;
        return result.withApplied(true);
    }

    /**
     * The Hessian-free update: the discriminator's step, then the generator side's against the
     * updated discriminator, each on the whole batch with curvature on its first rows. The result
     * still reports losses and gradients before the step.
     */
    private AdversarialStepResult trainStepHessianFree(
            AdversarialBatch batch, AdversarialStepResult before) {
        AdversarialBatch curvatureBatch =
                batch.firstRows(secondOrder.curvatureRowsOf(batch.size()));
        HessianFreeStep discriminatorStep =
                stepPlayer(AdversarialPlayer.DISCRIMINATOR, batch, curvatureBatch);
        HessianFreeStep generatorStep =
                stepPlayer(AdversarialPlayer.GENERATOR, batch, curvatureBatch);
        lastHessianFreeSteps = new HessianFreeSteps(discriminatorStep, generatorStep);
        step++;
        return before.withApplied(true);
    }

    private HessianFreeStep stepPlayer(
            AdversarialPlayer player, AdversarialBatch batch, AdversarialBatch curvatureBatch) {
        AdversarialPlayerObjective objective =
                new AdversarialPlayerObjective(this, player, batch, curvatureBatch);
        HessianFreeStep result = hessianFree.get(player).step(objective);
        objective.copyToNetworks();
        return result;
    }

    /**
     * Makes every later {@link #trainStep} a pair of Hessian-free steps with fresh optimizers (the
     * configured first damping, no previous step) instead of Adam steps. The Adam state is kept,
     * unused, and saved with the model as before.
     */
    public void useSecondOrder(SecondOrderTraining training) {
        this.secondOrder = training;
        hessianFree.clear();
        for (AdversarialPlayer player : AdversarialPlayer.values()) {
            hessianFree.put(player, new SaddleFreeHessianFree(training.optimizer()));
        }
        lastHessianFreeSteps = null;
    }

    /** Returns the Hessian-free settings, or empty for Adam training. */
    public Optional<SecondOrderTraining> secondOrderTraining() {
        return Optional.ofNullable(secondOrder);
    }

    /**
     * Returns what the last {@link #trainStep}'s Hessian-free steps did, or null with Adam, before
     * the first step and after a step that was not applied or a restore.
     */
    public HessianFreeSteps lastHessianFreeSteps() {
        return lastHessianFreeSteps;
    }

    final SaddleFreeHessianFree hessianFreeOptimizer(AdversarialPlayer player) {
        return hessianFree.get(player);
    }

    /**
     * Updates the discriminator alone on a batch, the generator (and encoder) frozen; applied only
     * if every value is finite. The step count does not change.
     */
    public AdversarialStepResult trainDiscriminator(AdversarialBatch batch) {
        AdversarialStepResult result = computeGradients(batch, config.generatorCost());
        if (!result.allFinite()) {
            return result;
        }
        FeedForwardNetwork discriminator = networks.get(DISCRIMINATOR);
        optimizers.get(DISCRIMINATOR).update(discriminator.parameters(), discriminator.gradient());
        return result.withApplied(true);
    }

    /**
     * Measures losses, accuracies and gradient norms on a batch under the given generator cost
     * without changing any parameter.
     */
    public AdversarialStepResult evaluate(AdversarialBatch batch, GeneratorCost cost) {
        return computeGradients(batch, cost);
    }

    /**
     * Replaces the discriminator with a freshly initialized one, drawn like {@link #initialize}
     * draws weights from a SplittableRandom seeded with seed, and a fresh optimizer.
     */
    public void reinitializeDiscriminator(long seed) {
        FeedForwardNetwork discriminator = networks.get(DISCRIMINATOR);
        discriminator.initializeUniform(new SplittableRandom(seed));
        optimizers.put(DISCRIMINATOR, newOptimizer(discriminator));
    }

    /**
     * Computes both losses and writes the gradient of L_D into the discriminator's flat gradient
     * and the gradients of the cost into the other networks', without changing parameters. The
     * result's applied flag is false.
     */
    abstract AdversarialStepResult computeGradients(AdversarialBatch batch, GeneratorCost cost);

    /** Returns sigmoid(G(z)) [B, dataDim] for prior codes z [B, latentDim], in a new array. */
    public INDArray generate(INDArray prior) {
        checkMatrix("prior", prior, config.latentDim());
        return network(GENERATOR).infer(inDataType(prior));
    }

    /** Returns the number of columns of the discriminator's input, which instance noise matches. */
    public abstract int discriminatorInputs();

    final int checkBatch(AdversarialBatch batch, boolean needsEncoderNoise) {
        checkMatrix("x", batch.data(), config.dataDim());
        checkMatrix("prior", batch.prior(), config.latentDim());
        long rows = batch.data().rows();
        if (rows == 0 || batch.prior().rows() != rows) {
            throw new IllegalArgumentException(
                    "x and prior must have the same positive number of rows: "
                            + rows
                            + ", "
                            + batch.prior().rows());
        }
        if (needsEncoderNoise) {
            if (batch.encoderNoise() == null) {
                throw new IllegalArgumentException("the encoder needs noise, got none");
            }
            checkMatrix("noise", batch.encoderNoise(), config.latentDim());
            if (batch.encoderNoise().rows() != rows) {
                throw new IllegalArgumentException(
                        "noise must have the rows of x: " + batch.encoderNoise().rows());
            }
        }
        if (batch.instanceNoise() != null) {
            checkMatrix("instance noise", batch.instanceNoise(), discriminatorInputs());
            if (batch.instanceNoise().rows() != 2 * rows) {
                throw new IllegalArgumentException(
                        "instance noise must have two rows per example: "
                                + batch.instanceNoise().rows());
            }
        }
        return Math.toIntExact(rows);
    }

    static void checkMatrix(String name, INDArray array, int columns) {
        if (array.rank() != 2 || array.columns() != columns) {
            throw new IllegalArgumentException(
                    name
                            + " must be [batch, "
                            + columns
                            + "] but is "
                            + Arrays.toString(array.shape()));
        }
    }

    final INDArray inDataType(INDArray array) {
        return array.dataType() == dataType ? array : array.castTo(dataType);
    }

    /** Returns the number of updates applied by {@link #trainStep}. */
    public long step() {
        return step;
    }

    /** Returns the configuration this model was built with. */
    public AdversarialConfig config() {
        return config;
    }

    /** Returns the data type of parameters and arithmetic, FLOAT or DOUBLE. */
    public DataType dataType() {
        return dataType;
    }

    /** Returns the networks' names in the order of parameters, hashes and states. */
    public List<String> networkNames() {
        return List.copyOf(networks.keySet());
    }

    /**
     * Returns a copy of each network's flat parameter vector in the order of {@link
     * #networkNames()}. A network's vector holds its dense layers from input to output, each as its
     * weight matrix [inputs, outputs] in row-major order followed by its bias.
     */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> copies = new LinkedHashMap<>();
        for (Map.Entry<String, FeedForwardNetwork> entry : networks.entrySet()) {
            copies.put(entry.getKey(), entry.getValue().parameters().dup());
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
        for (FeedForwardNetwork network : networks.values()) {
            INDArray flat = network.parameters();
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
        ModelStateFormat.write(this, out);
    }

    /**
     * Reads a model written by {@link #writeState}; training it further gives bit for bit the same
     * parameters as training the original would.
     */
    public static AdversarialModel readState(DataInputStream in) throws IOException {
        return ModelStateFormat.read(in);
    }

    final FeedForwardNetwork network(String name) {
        FeedForwardNetwork network = networks.get(name);
        if (network == null) {
            throw new IllegalArgumentException(
                    "no network named " + name + " in " + config.model().configName());
        }
        return network;
    }

    final Adam optimizer(String name) {
        network(name);
        return optimizers.get(name);
    }

    final void restoreStep(long restoredStep) {
        this.step = restoredStep;
    }
}
