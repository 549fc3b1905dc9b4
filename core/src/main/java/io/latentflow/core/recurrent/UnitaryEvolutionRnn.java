package io.latentflow.core.recurrent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The unitary evolution recurrent network of Arjovsky, Shah and Bengio (<a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>), in float64, with backpropagation
 * through time.
 *
 * <p>The recurrent matrix is a product of cheap unitary factors, W = D3 R2 F^-1 D2 P R1 F D1, with
 * D1, D2, D3 diagonal phase matrices ({@link PhaseDiagonal}), R1, R2 complex Householder
 * reflections ({@link HouseholderReflection}), P a fixed permutation drawn from the seed, and F the
 * unitary DFT ({@link UnitaryDft}). W is unitary for every parameter value, so it neither grows nor
 * shrinks the hidden state, and it costs O(n log n) per step instead of O(n^2). With a complex
 * hidden state h of n units, a real input x of m features and a real output y of k:
 *
 * <p>z_t = W h_{t-1} + V x_t, h_t = modReLU(z_t) ({@link ModRelu}), y_t = U [Re h_t; Im h_t] + c.
 *
 * <p>All parameters live in one flat vector laid out by {@link UnitaryEvolutionRnnLayout}, which an
 * optimizer updates in place. The initialization is the paper's: phases uniform in [-pi, pi], the
 * real and imaginary parts of the reflection vectors uniform in [-1, 1], modReLU bias 0, V and U
 * Glorot-uniform (V's real and imaginary parts each with fan-in m and fan-out 2n, as it feeds 2n
 * real numbers; U with fan-in 2n and fan-out k), c = 0, and the initial state uniform in [-a, a]
 * per real and imaginary part with a = sqrt(3 / (2n)), so that E |h0|^2 = 1; h0 is learned.
 *
 * <p>The recurrence runs in one of two designs ({@link RecurrenceDesign}), chosen by hidden size
 * unless {@link #useDesign} says otherwise; both give the same outputs and gradients to rounding.
 * With {@link RecurrenceDesign#FACTOR_LOOPS} every time step runs as loops over primitive arrays:
 * the factor chain ({@link UnitaryFactorChain}) works on one example's state at a time in a buffer
 * of interleaved real and imaginary parts (the layout JTransforms transforms in place), while the
 * states kept for backpropagation are stored per (step, example) row as [Re; Im]. Backpropagation
 * keeps the pre-activations z_t, the states h_t, two intermediate vectors of the chain and its
 * reflections' two complex dot products for every row (memory linear in T, 8 n + 4 doubles per row;
 * the chain's backward pass needs D1 h_{t-1} only through h_{t-1}). Where those would take more
 * than 1 GiB, the backward pass recomputes them from h_{t-1} instead, one extra application of W
 * per step. The buffer is kept between passes. With {@link RecurrenceDesign#DENSE_MATRIX}, see
 * {@link DenseRecurrence}. Either way the input projection V x_t for all steps runs over all T * B
 * rows before the recurrence, and the output projection is one OpenBLAS product after it.
 *
 * <p>In the factor-loop design a batch's examples may run on several threads ({@link #useThreads}),
 * with the same results to the last bit as on one.
 *
 * <p>Instances are not thread-safe.
 */
public final class UnitaryEvolutionRnn {
    private static final int HASH_CHUNK = 1 << 14;

    private final UnitaryEvolutionRnnLayout layout;
    private final double[] parameters;
    private final int[] permutation;
    private final UnitaryDft dft;
    private RecurrenceDesign design;
    private DenseRecurrence dense;
    private final BlasMatrixProduct products = new BlasMatrixProduct();

    /**
     * Creates a network with the paper's initialization, every random draw taken from streams split
     * off {@code new SplittableRandom(seed)} in a fixed order: phases, reflection vectors,
     * permutation, V, U, initial state.
     *
     * @param inputSize m, features per input step
     * @param hiddenSize n, complex hidden units
     * @param outputSize k, outputs per step
     * @param seed seeds the initialization and the permutation P
     */
    public UnitaryEvolutionRnn(int inputSize, int hiddenSize, int outputSize, long seed) {
        this.layout = new UnitaryEvolutionRnnLayout(inputSize, hiddenSize, outputSize);
        this.parameters = new double[layout.size()];
        this.dft = new UnitaryDft(hiddenSize);
        this.design = RecurrenceDesign.forHiddenSize(hiddenSize);

        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom phases = root.split();
        SplittableRandom reflections = root.split();
        SplittableRandom shuffle = root.split();
        SplittableRandom input = root.split();
        SplittableRandom output = root.split();
        SplittableRandom initial = root.split();

        int n = hiddenSize;
        fillUniform(phases, layout.phase(1), 3 * n, Math.PI);
        fillUniform(reflections, layout.reflectionReal(1), 4 * n, 1);
        fillUniform(input, layout.inputReal(), 2 * n * inputSize, glorot(inputSize, 2 * n));
        fillUniform(output, layout.outputWeights(), outputSize * 2 * n, glorot(2 * n, outputSize));
        fillUniform(initial, layout.initialState(), 2 * n, Math.sqrt(3.0 / (2 * n)));
        this.permutation = shuffled(shuffle, n);
    }

    private static double glorot(int fanIn, int fanOut) {
        return Math.sqrt(6.0 / (fanIn + fanOut));
    }

    private void fillUniform(SplittableRandom random, int offset, int count, double limit) {
        for (int i = offset; i < offset + count; i++) {
            parameters[i] = random.nextDouble(-limit, limit);
        }
    }

    private static int[] shuffled(SplittableRandom random, int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** Returns where each parameter lives in {@link #parameters()}. */
    public UnitaryEvolutionRnnLayout layout() {
        return layout;
    }

    /**
     * Returns the live parameter vector, not a copy: an optimizer updates it in place, and every
     * later pass reads it.
     */
    public double[] parameters() {
        return parameters;
    }

    /** Returns how the recurrence runs; by default {@link RecurrenceDesign#forHiddenSize}. */
    public RecurrenceDesign design() {
        return design;
    }

    /**
     * Runs every later pass with the given design, for benchmarks and for tests that compare the
     * two; the parameters and the results do not depend on it beyond rounding.
     */
    public void useDesign(RecurrenceDesign design) {
        if (design == null) {
            throw new IllegalArgumentException("design must not be null");
        }
        this.design = design;
    }

    /**
     * Sets how many doubles of FFT outputs the factor-loop design may keep for the backward pass,
     * so that tests reach the path that recomputes them.
     */
    void keepTransformsUpTo(long doubles) {
        keptTransformsLimit = doubles;
    }

    /** Returns a copy of the permutation: (P x)_j = x_{permutation[j]}. */
    public int[] permutation() {
        return permutation.clone();
    }

    /**
     * Returns the SHA-256 digest, in lower-case hex, of the parameters as float64 big-endian, in
     * the order of {@link #parameters()}.
     */
    public String parameterHash() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        ByteBuffer bytes =
                ByteBuffer.allocate(HASH_CHUNK * Double.BYTES).order(ByteOrder.BIG_ENDIAN);
        for (int start = 0; start < parameters.length; start += HASH_CHUNK) {
            int length = Math.min(HASH_CHUNK, parameters.length - start);
            bytes.clear();
            bytes.asDoubleBuffer().put(parameters, start, length);
            digest.update(bytes.array(), 0, length * Double.BYTES);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Returns the recurrent matrix W densely, built by applying the factor chain to each basis
     * vector: {@code [0]} holds the real parts and {@code [1]} the imaginary parts, W_ij at {@code
     * i * n + j}. Meant for diagnostics such as the deviation of W from unitarity.
     */
    public double[][] recurrentMatrix() {
        int n = layout.hiddenSize();
        UnitaryFactorChain chain = chain();
        double[] row = new double[2 * n];
        double[] real = new double[n * n];
        double[] imaginary = new double[n * n];
        for (int j = 0; j < n; j++) {
            Arrays.fill(row, 0);
            row[2 * j] = 1;
            chain.apply(row);
            for (int i = 0; i < n; i++) {
                real[i * n + j] = row[2 * i];
                imaginary[i * n + j] = row[2 * i + 1];
            }
        }
        return new double[][] {real, imaginary};
    }

    /**
     * Returns the largest entry of |W^H W - I|, how far the recurrent matrix as computed in float64
     * is from unitary; the parametrization keeps it at rounding level whatever the parameters.
     * Costs O(n^3): meant for metrics every so many updates, not every step.
     */
    public double unitarityDeviation() {
        return unitarityDeviation(recurrentMatrix(), layout.hiddenSize());
    }

    /**
     * Returns the largest entry of |A^H A - I| for an n x n complex matrix laid out like {@link
     * #recurrentMatrix()}.
     */
    static double unitarityDeviation(double[][] matrix, int n) {
        double[] real = matrix[0];
        double[] imaginary = matrix[1];
        double worst = 0;
        // (A^H A)_ij = sum_k conj(A_ki) A_kj, Hermitian, so j >= i suffices.
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double sumReal = 0;
                double sumImaginary = 0;
                for (int k = 0; k < n; k++) {
                    double ar = real[k * n + i];
                    double ai = imaginary[k * n + i];
                    double br = real[k * n + j];
                    double bi = imaginary[k * n + j];
                    sumReal += ar * br + ai * bi;
                    sumImaginary += ar * bi - ai * br;
                }
                worst = Math.max(worst, Math.hypot(sumReal - (i == j ? 1 : 0), sumImaginary));
            }
        }
        return worst;
    }

    /**
     * Runs the network over a batch from h0 and returns y_t for every step and example, time-major
     * like {@link SequenceLoss} expects: T * B * k values.
     */
    public double[] outputs(SequenceBatch batch) {
        if (design == RecurrenceDesign.DENSE_MATRIX) {
            checkInputSize(batch);
            return dense().forward(parameters, chain(), batch);
        }
        return forward(batch, false).outputs;
    }

    /** Returns the loss of the network's outputs on a batch, without gradients. */
    public double loss(SequenceBatch batch, SequenceLoss loss) {
        double[] outputs = outputs(batch);
        double[] outputGradient = new double[outputs.length];
        return loss.evaluate(
                outputs, batch.timeSteps(), batch.batchSize(), layout.outputSize(), outputGradient);
    }

    /**
     * Runs the network over a batch, backpropagates the loss through time, and writes the gradient
     * of the loss with respect to every parameter.
     *
     * @param batch inputs with this network's input size
     * @param loss the loss on the outputs of every step
     * @param gradient receives dL/d parameters, laid out like {@link #parameters()}; overwritten
     * @return the loss
     */
    public double lossAndGradient(SequenceBatch batch, SequenceLoss loss, double[] gradient) {
        return lossAndGradient(batch, loss, gradient, null);
    }

    /**
     * Like {@link #lossAndGradient(SequenceBatch, SequenceLoss, double[])}, and also writes how far
     * the loss's gradient reaches back in time: the mean over the batch of |dL/dh_t|, the norm of
     * the gradient with respect to the hidden state of step t (all its real and imaginary parts),
     * which a unitary W keeps from vanishing or exploding on its way back.
     *
     * @param stateGradientNorms receives the T norms, step 0 first; null for none
     */
    public double lossAndGradient(
            SequenceBatch batch,
            SequenceLoss loss,
            double[] gradient,
            double[] stateGradientNorms) {
        if (stateGradientNorms != null && stateGradientNorms.length != batch.timeSteps()) {
            throw new IllegalArgumentException(
                    "stateGradientNorms must have T = "
                            + batch.timeSteps()
                            + " entries, not "
                            + stateGradientNorms.length);
        }
        if (gradient.length != parameters.length) {
            throw new IllegalArgumentException(
                    "gradient must have " + parameters.length + " entries, not " + gradient.length);
        }
        int k = layout.outputSize();
        if (design == RecurrenceDesign.DENSE_MATRIX) {
            checkInputSize(batch);
            UnitaryFactorChain chain = chain();
            double[] outputs = dense().forward(parameters, chain, batch);
            double[] outputGradient = new double[outputs.length];
            double value =
                    loss.evaluate(outputs, batch.timeSteps(), batch.batchSize(), k, outputGradient);
            Arrays.fill(gradient, 0);
            dense().backward(
                            parameters, chain, batch, outputGradient, gradient, stateGradientNorms);
            return value;
        }

        ForwardPass pass = forward(batch, true);
        double[] outputGradient = new double[pass.outputs.length];
        double value =
                loss.evaluate(
                        pass.outputs, batch.timeSteps(), batch.batchSize(), k, outputGradient);
        Arrays.fill(gradient, 0);
        double[] stateGradient = outputProjectionBackward(pass, outputGradient, gradient);
        recurrenceBackward(batch, pass, stateGradient, gradient, stateGradientNorms);
        inputProjectionBackward(batch, stateGradient, gradient);
        return value;
    }

    /**
     * Runs the network over a batch at the current parameters and returns exact products with the
     * curvature of the loss there, H v and G v, by the R-operator ({@link
     * UnitaryEvolutionCurvature}). They run the factor loops even where this network trains with
     * the dense design (the two agree to about 1e-10), and read a copy of the parameters, so they
     * stay those of this point after the parameters move.
     */
    public RecurrentCurvature curvature(SequenceBatch batch, SequenceLoss loss) {
        return new UnitaryEvolutionCurvature(layout, parameters, permutation, batch, loss);
    }

    /**
     * The most doubles the factor-loop design keeps of the factor chain's intermediate vectors
     * ({@link UnitaryFactorChain#keptSize} per row, 1 GiB); above it the backward pass applies the
     * chain again. Keeping saved 6 to 12% of a BPTT step at hidden 128 and 512 before the chain's
     * loops were fused; since then the two measured about equal at hidden 128 and keeping 14%
     * faster at 512 (see README's uRNN section).
     */
    private static final long KEPT_TRANSFORMS_LIMIT = 1L << 27;

    private long keptTransformsLimit = KEPT_TRANSFORMS_LIMIT;

    /** Kept between passes, so that long sequences do not allocate and clear it every step. */
    private double[] keptVectors;

    /**
     * What a forward pass keeps for the backward pass: z_t, h_t and y_t of every row, and the
     * factor chain's intermediate vectors of every row (null where they would exceed the limit).
     */
    private record ForwardPass(
            double[] preActivations, double[] states, double[] outputs, double[] transforms) {}

    /** Returns W's factors built from the current parameters. */
    private UnitaryFactorChain chain() {
        return new UnitaryFactorChain(parameters, layout, permutation, dft);
    }

    /**
     * The gradient of the parameters in [0, 8n) (phases, reflection vectors, modReLU bias) and of
     * the initial state comes from the recurrence, which each example backpropagates on its own.
     */
    private static final int RECURRENT_PARAMETERS = 8;

    /** How many threads run a batch's examples; see {@link #useThreads}. */
    private int threads = 1;

    /** One DFT plan per chunk of examples but the first, which uses {@link #dft}. */
    private UnitaryDft[] chunkTransforms = new UnitaryDft[0];

    /** Each example's share of the recurrence's gradient, kept between passes. */
    private double[][] exampleShares = new double[0][];

    /**
     * Runs the examples of every later batch in the factor-loop design on up to this many threads
     * (the calling one and {@link java.util.concurrent.ForkJoinPool#commonPool()}'s), each thread a
     * contiguous chunk of examples through all their steps. The outputs, the loss and the gradient
     * are the same to the last bit for every count; the dense design and the curvature products run
     * on the calling thread alone. 1 by default.
     */
    public void useThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        this.threads = threads;
    }

    /** Returns how many threads run a batch's examples; see {@link #useThreads}. */
    public int threads() {
        return threads;
    }

    /** Returns W's factors for each chunk of examples, each chunk with its own scratch and plan. */
    private UnitaryFactorChain[] chunkChains(int batchSize) {
        int chunks = ExampleChunks.count(threads, batchSize);
        if (chunkTransforms.length < chunks - 1) {
            UnitaryDft[] grown = Arrays.copyOf(chunkTransforms, chunks - 1);
            for (int c = chunkTransforms.length; c < grown.length; c++) {
                grown[c] = new UnitaryDft(layout.hiddenSize());
            }
            chunkTransforms = grown;
        }
        UnitaryFactorChain[] chains = new UnitaryFactorChain[chunks];
        chains[0] = chain();
        for (int c = 1; c < chunks; c++) {
            chains[c] =
                    new UnitaryFactorChain(parameters, layout, permutation, chunkTransforms[c - 1]);
        }
        return chains;
    }

    /** Returns one gradient-sized buffer per example, reused between passes. */
    private double[][] exampleShares(int batchSize) {
        if (exampleShares.length < batchSize) {
            double[][] grown = Arrays.copyOf(exampleShares, batchSize);
            for (int b = exampleShares.length; b < batchSize; b++) {
                grown[b] = new double[parameters.length];
            }
            exampleShares = grown;
        }
        return exampleShares.length == batchSize
                ? exampleShares
                : Arrays.copyOf(exampleShares, batchSize);
    }

    /**
     * Every row's pre-activations z_t, states h_t and dL/dh_t, kept between passes: at T = 1000 and
     * hidden 128 each is 41 MB, which a fresh allocation would clear on one thread every pass.
     */
    private double[] preActivationBuffer = new double[0];

    private double[] stateBuffer = new double[0];
    private double[] stateGradientBuffer = new double[0];

    private static double[] atLeast(double[] buffer, int size) {
        return buffer.length >= size ? buffer : new double[size];
    }

    /** Returns a buffer of at least {@code size} doubles, or null where that exceeds the limit. */
    private double[] keptVectors(long size) {
        if (size > keptTransformsLimit) {
            return null;
        }
        if (keptVectors == null || keptVectors.length < size) {
            keptVectors = new double[Math.toIntExact(size)];
        }
        return keptVectors;
    }

    private DenseRecurrence dense() {
        if (dense == null) {
            dense = new DenseRecurrence(layout);
        }
        return dense;
    }

    private void checkInputSize(SequenceBatch batch) {
        if (batch.inputSize() != layout.inputSize()) {
            throw new IllegalArgumentException(
                    "inputs have "
                            + batch.inputSize()
                            + " features, the network takes "
                            + layout.inputSize());
        }
    }

    /**
     * Runs the factor loops over a batch; with {@code keep}, also fills the buffer of intermediate
     * vectors for the backward pass where it fits the limit.
     */
    private ForwardPass forward(SequenceBatch batch, boolean keep) {
        checkInputSize(batch);
        int n = layout.hiddenSize();
        int rows = batch.rows();
        preActivationBuffer = atLeast(preActivationBuffer, rows * 2 * n);
        stateBuffer = atLeast(stateBuffer, rows * 2 * n);
        double[] preActivations = preActivationBuffer;
        double[] states = stateBuffer;
        int kept = UnitaryFactorChain.keptSize(n);
        double[] transforms = keep ? keptVectors((long) rows * kept) : null;
        int batchSize = batch.batchSize();
        int steps = batch.timeSteps();
        int bias = layout.modReluBias();
        UnitaryFactorChain[] chains = chunkChains(batchSize);

        // Each example runs through all its steps on its own; examples never meet.
        ExampleChunks.run(
                threads,
                batchSize,
                (chunk, from, to) -> {
                    UnitaryFactorChain chain = chains[chunk];
                    double[] row = new double[2 * n];
                    for (int b = from; b < to; b++) {
                        for (int t = 0; t < steps; t++) {
                            int offset = (t * batchSize + b) * 2 * n;
                            projectInput(batch.inputs(), t * batchSize + b, preActivations);
                            // z_t = W h_{t-1} + V x_t, h_t = modReLU(z_t)
                            double[] previous = t == 0 ? parameters : states;
                            int previousOffset =
                                    t == 0 ? layout.initialState() : offset - batchSize * 2 * n;
                            if (transforms != null) {
                                chain.applyToSplitKeeping(
                                        previous,
                                        previousOffset,
                                        row,
                                        transforms,
                                        (t * batchSize + b) * kept);
                            } else {
                                chain.applyToSplit(previous, previousOffset, row);
                            }
                            ModRelu.addAndForward(
                                    row, preActivations, offset, parameters, bias, states, n);
                        }
                    }
                });
        return new ForwardPass(preActivations, states, outputProjection(states, rows), transforms);
    }

    /**
     * Writes V x_t of one row into {@code projected} as [Re; Im], in loops that skip zero inputs:
     * the tasks' inputs are one-hot or have one or two features, where this beats a product and its
     * copies, and it runs in the thread that goes on to use the row.
     */
    private void projectInput(double[] inputs, int row, double[] projected) {
        int n = layout.hiddenSize();
        int m = layout.inputSize();
        int real = layout.inputReal();
        int imaginary = layout.inputImaginary();
        int out = row * 2 * n;
        Arrays.fill(projected, out, out + 2 * n, 0);
        for (int i = 0; i < m; i++) {
            double x = inputs[row * m + i];
            if (x == 0) {
                continue;
            }
            for (int j = 0; j < n; j++) {
                projected[out + j] += parameters[real + j * m + i] * x;
                projected[out + n + j] += parameters[imaginary + j * m + i] * x;
            }
        }
    }

    /** Returns y = U [Re h; Im h] + c for every row. */
    private double[] outputProjection(double[] states, int rows) {
        int width = 2 * layout.hiddenSize();
        int k = layout.outputSize();
        int bias = layout.outputBias();
        double[] outputs = new double[rows * k];
        products.multiply(
                false,
                true,
                rows,
                k,
                width,
                states,
                0,
                parameters,
                layout.outputWeights(),
                0,
                outputs,
                0);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < k; o++) {
                outputs[r * k + o] += parameters[bias + o];
            }
        }
        return outputs;
    }

    /** Adds dL/dU and dL/dc to the gradient and returns dL/dh for every row as [Re; Im]. */
    private double[] outputProjectionBackward(
            ForwardPass pass, double[] outputGradient, double[] gradient) {
        int width = 2 * layout.hiddenSize();
        int k = layout.outputSize();
        int bias = layout.outputBias();
        int rows = pass.outputs.length / k;
        stateGradientBuffer = atLeast(stateGradientBuffer, rows * width);
        double[] stateGradient = stateGradientBuffer;
        // dL/dh = dL/dy U, dL/dU = dL/dy^T H, dL/dc = the column sums of dL/dy.
        products.multiply(
                false,
                false,
                rows,
                width,
                k,
                outputGradient,
                0,
                parameters,
                layout.outputWeights(),
                0,
                stateGradient,
                0);
        products.multiply(
                true,
                false,
                k,
                width,
                rows,
                outputGradient,
                0,
                pass.states,
                0,
                1,
                gradient,
                layout.outputWeights());
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < k; o++) {
                gradient[bias + o] += outputGradient[r * k + o];
            }
        }
        return stateGradient;
    }

    /**
     * Backpropagates through the recurrence from the last step to the first. On entry stateGradient
     * holds dL/dh_t from the outputs alone; on return it holds dL/dz_t of every row. Adds the
     * gradients of the phases, reflection vectors, modReLU bias and initial state.
     *
     * <p>Each example gathers its own share of those gradients, and the shares are added in the
     * examples' order afterwards, so the gradient is the same to the last bit however many threads
     * ran the examples.
     */
    private void recurrenceBackward(
            SequenceBatch batch,
            ForwardPass pass,
            double[] stateGradient,
            double[] gradient,
            double[] stateGradientNorms) {
        int n = layout.hiddenSize();
        int width = 2 * n;
        int batchSize = batch.batchSize();
        int steps = batch.timeSteps();
        int bias = layout.modReluBias();
        int initial = layout.initialState();
        int kept = UnitaryFactorChain.keptSize(n);
        UnitaryFactorChain[] chains = chunkChains(batchSize);
        double[][] shares = exampleShares(batchSize);
        // By example, so that two threads do not write into one cache line at every step.
        double[] rowNorms = stateGradientNorms == null ? null : new double[batchSize * steps];

        ExampleChunks.run(
                threads,
                batchSize,
                (chunk, from, to) -> {
                    UnitaryFactorChain chain = chains[chunk];
                    double[] g = new double[width];
                    for (int b = from; b < to; b++) {
                        double[] share = shares[b];
                        Arrays.fill(share, 0, RECURRENT_PARAMETERS * n, 0);
                        Arrays.fill(share, initial, initial + width, 0);
                        for (int t = steps - 1; t >= 0; t--) {
                            int offset = (t * batchSize + b) * width;
                            if (rowNorms != null) {
                                rowNorms[b * steps + t] = norm(stateGradient, offset, width);
                            }
                            // dL/dz_t into stateGradient, and interleaved into g for the chain.
                            ModRelu.backward(
                                    pass.preActivations,
                                    offset,
                                    parameters,
                                    bias,
                                    stateGradient,
                                    share,
                                    n,
                                    g);

                            // dL/dh_{t-1} += W^H dL/dz_t, the chain's intermediate vectors kept
                            // or recomputed from h_{t-1}.
                            int previous = offset - batchSize * width;
                            double[] source = t == 0 ? parameters : pass.states;
                            int sourceOffset = t == 0 ? initial : previous;
                            double[] target = t == 0 ? share : stateGradient;
                            int targetOffset = t == 0 ? initial : previous;
                            if (pass.transforms != null) {
                                chain.backwardFromKept(
                                        source,
                                        sourceOffset,
                                        pass.transforms,
                                        (t * batchSize + b) * kept,
                                        g,
                                        share,
                                        target,
                                        targetOffset);
                            } else {
                                chain.backwardFromSplit(
                                        source, sourceOffset, g, share, target, targetOffset);
                            }
                        }
                        chain.addReflectionGradients(share);
                    }
                });

        for (double[] share : shares) {
            for (int i = 0; i < RECURRENT_PARAMETERS * n; i++) {
                gradient[i] += share[i];
            }
            for (int i = initial; i < initial + width; i++) {
                gradient[i] += share[i];
            }
        }
        if (stateGradientNorms != null) {
            for (int t = 0; t < steps; t++) {
                double total = 0;
                for (int b = 0; b < batchSize; b++) {
                    total += rowNorms[b * steps + t];
                }
                stateGradientNorms[t] = total / batchSize;
            }
        }
    }

    /** Returns the Euclidean norm of {@code values[offset..offset + length)}. */
    private static double norm(double[] values, int offset, int length) {
        double sum = 0;
        for (int q = offset; q < offset + length; q++) {
            sum += values[q] * values[q];
        }
        return Math.sqrt(sum);
    }

    /** Adds dL/dV = sum over rows of dL/dz_t x_t^T, real and imaginary parts, skipping zeros. */
    private void inputProjectionBackward(
            SequenceBatch batch, double[] preActivationGradient, double[] gradient) {
        int n = layout.hiddenSize();
        int m = layout.inputSize();
        int real = layout.inputReal();
        int imaginary = layout.inputImaginary();
        double[] inputs = batch.inputs();
        for (int r = 0; r < batch.rows(); r++) {
            int row = r * 2 * n;
            for (int i = 0; i < m; i++) {
                double x = inputs[r * m + i];
                if (x == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    gradient[real + j * m + i] += preActivationGradient[row + j] * x;
                    gradient[imaginary + j * m + i] += preActivationGradient[row + n + j] * x;
                }
            }
        }
    }
}
