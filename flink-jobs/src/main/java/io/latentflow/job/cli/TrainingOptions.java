package io.latentflow.job.cli;

import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.GeneratorCost;
import io.latentflow.core.model.InstanceNoise;
import io.latentflow.core.model.ModelKind;
import io.latentflow.core.model.NoiseSchedule;
import io.latentflow.core.model.SecondOrderTraining;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.AutoencoderTrainerSettings;
import io.latentflow.job.operators.OptimizerKind;
import io.latentflow.job.operators.RecurrentModelKind;
import io.latentflow.job.operators.RecurrentOptimizer;
import io.latentflow.job.operators.RecurrentTrainerSettings;
import io.latentflow.job.operators.SequenceTask;
import io.latentflow.job.operators.TrainerSettings;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** The options that say what a run trains, shared by every command that starts or feeds one. */
final class TrainingOptions {
    /**
     * The recurrent models' defaults are the paper's: batch 20, hidden 128 (for the uRNN and the
     * LSTM alike), RMSProp 1e-3 with decay 0.9.
     */
    static final int URNN_BATCH_SIZE = 20;

    static final int URNN_HIDDEN_UNITS = 128;
    static final String URNN_LEARNING_RATE = "1e-3";
    static final double URNN_DECAY = 0.9;
    static final String URNN = "urnn";
    static final String LSTM = "lstm";

    static final String AUTOENCODER = "autoencoder";

    /** Hessian-free steps trained when --steps is not given: each takes a gradient batch. */
    static final long AUTOENCODER_SECOND_ORDER_STEPS = 20;

    /** The inner iteration limits measured best in core's comparison: 50 for CG, 25 for SFHF. */
    static final int CONJUGATE_GRADIENT_ITERATIONS = 50;

    static final int SADDLE_FREE_ITERATIONS = 25;

    /**
     * Sequences per Hessian-free step of a recurrent model when --gradient-batch is not given: ten
     * of the paper's mini-batches of 20, so that the gradient and the line search see a sample
     * large enough for a step that is trusted to its quadratic model.
     */
    static final int RECURRENT_GRADIENT_BATCH = 200;

    /**
     * The first this many of them give the curvature products (a tenth, as for the autoencoder): a
     * uRNN product costs about three gradients on its sequences, so 20 keep each product near a
     * third of the gradient batch's gradient.
     */
    static final int RECURRENT_CURVATURE_BATCH = 20;

    @Option(
            names = "--model",
            defaultValue = "ali",
            description =
                    "ali (generator, encoder and a discriminator on pairs (x, z)), gan"
                            + " (generator and a discriminator on x), urnn (a unitary evolution"
                            + " RNN on --task; train only), lstm (the LSTM baseline on --task;"
                            + " train only) or autoencoder (the deep autoencoder of --layers with"
                            + " --optimizer; train only) (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(
            names = "--optimizer",
            description =
                    "With --model autoencoder: sgd (with --momentum), adam, rmsprop, or a"
                            + " Hessian-free method on --gradient-batch: hf (Newton-CG),"
                            + " gauss-newton (Martens' Hessian-free) or sfhf (saddle-free"
                            + " Hessian-free) (default: sfhf). With --model urnn or lstm: rmsprop"
                            + " (the paper's, decay 0.9), adam (beta1 0.9, beta2 0.999), or hf,"
                            + " gauss-newton or sfhf on --gradient-batch sequences (200 by default,"
                            + " curvature on the first 20) (default: rmsprop). With --model ali or"
                            + " gan: adam (default), or hf, gauss-newton or sfhf, which make each"
                            + " update one Hessian-free step of the discriminator and then one of"
                            + " the generator (with ALI's encoder) on the whole --batch-size.")
    String optimizer;

    @Option(
            names = "--layers",
            defaultValue = "1000,500,250,30",
            description =
                    "With --model autoencoder, the encoder's widths after the 784 pixels; the"
                            + " decoder mirrors them (default: ${DEFAULT-VALUE}, Hinton and"
                            + " Salakhutdinov's, 2,837,314 parameters).")
    String layers;

    @Option(
            names = "--gradient-batch",
            defaultValue = "6000",
            description =
                    "With a Hessian-free optimizer, examples per step for the loss, the gradient"
                            + " and the line search (default: ${DEFAULT-VALUE}; for urnn and lstm,"
                            + " sequences, "
                            + RECURRENT_GRADIENT_BATCH
                            + ").")
    int gradientBatch;

    @Option(
            names = "--curvature-batch",
            defaultValue = "600",
            description =
                    "With a Hessian-free optimizer, the first this many examples of each gradient"
                            + " batch give the curvature products (default: ${DEFAULT-VALUE}; for"
                            + " urnn and lstm, "
                            + RECURRENT_CURVATURE_BATCH
                            + " sequences; for ALI and the GAN, the whole batch).")
    int curvatureBatch;

    @Option(
            names = "--momentum",
            defaultValue = "0.9",
            description = "With --optimizer sgd, the momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(
            names = "--damping",
            defaultValue = "1",
            description =
                    "With a Hessian-free optimizer, the first Tikhonov damping lambda, adapted by"
                            + " the Levenberg-Marquardt rule after (default: ${DEFAULT-VALUE}).")
    double damping;

    @Option(
            names = "--max-inner-iterations",
            description =
                    "With a Hessian-free optimizer, the most inner iterations per step (default: "
                            + CONJUGATE_GRADIENT_ITERATIONS
                            + " for hf and gauss-newton, "
                            + SADDLE_FREE_ITERATIONS
                            + " for sfhf).")
    Integer maxInnerIterations;

    @Option(
            names = "--evaluation-examples",
            defaultValue = "1000",
            description =
                    "With --model autoencoder, the run's first this many examples are the fixed"
                            + " sample on which every metrics record measures the training error"
                            + " (default: ${DEFAULT-VALUE}).")
    int evaluationExamples;

    @Option(
            names = "--task",
            defaultValue = "copying",
            description =
                    "With --model urnn or lstm, the sequence task streamed into the data topic:"
                            + " copying (copying memory), adding, pixel (Fashion-MNIST one pixel"
                            + " per step, 784 steps) or permuted-pixel (the same with the pixels in"
                            + " one order drawn from --permutation-seed) (default:"
                            + " ${DEFAULT-VALUE}).")
    String task;

    @Option(
            names = "--gradient-clip",
            defaultValue = "0",
            description =
                    "With --model urnn or lstm, rescale a gradient longer than this Euclidean norm"
                            + " to it before the update; 0 never (default: ${DEFAULT-VALUE}).")
    double gradientClip;

    @Option(
            names = "--permutation-seed",
            defaultValue = "1",
            description =
                    "With --task permuted-pixel, the seed of the one fixed pixel order (default:"
                            + " ${DEFAULT-VALUE}).")
    long permutationSeed;

    @Option(
            names = "--test-interval",
            defaultValue = "500",
            description =
                    "With a pixel task, measure test accuracy every N steps on the first"
                            + " --test-examples t10k images, and on all 10,000 after the last"
                            + " step; 0 only after the last (default: ${DEFAULT-VALUE}).")
    int testInterval;

    @Option(
            names = "--test-examples",
            defaultValue = "1000",
            description =
                    "With a pixel task, how many t10k images the periodic test measurements use"
                            + " (default: ${DEFAULT-VALUE}).")
    int testExamples;

    @Option(
            names = "--threads",
            description =
                    "With --model urnn, how many threads each batch's sequences run on; the"
                            + " results are the same to the last bit for every count (default:"
                            + " the machine's cores).")
    Integer threads;

    @Option(
            names = "--task-length",
            defaultValue = "100",
            description =
                    "With --model urnn or lstm, T: the delay of copying (sequences of T + 20"
                            + " steps) or the sequence length of adding; the pixel tasks are 784"
                            + " steps long (default: ${DEFAULT-VALUE}).")
    int taskLength;

    @Option(
            names = "--generator-cost",
            defaultValue = "non-saturating",
            description =
                    "The cost the generator (and ALI's encoder) minimizes: minimax, the original"
                            + " log(1 - D(G(z))), or non-saturating, -log D(G(z)) (default:"
                            + " ${DEFAULT-VALUE}).")
    String generatorCost;

    @Option(
            names = "--instance-noise",
            defaultValue = "0",
            description =
                    "Standard deviation of Gaussian noise added to every input of the"
                            + " discriminator, real and generated; 0 for none (default:"
                            + " ${DEFAULT-VALUE}).")
    double instanceNoise;

    @Option(
            names = "--noise-schedule",
            defaultValue = "constant",
            description =
                    "How the instance noise changes: constant, or linear or exponential annealing"
                            + " to 0 at --noise-anneal-steps (default: ${DEFAULT-VALUE}).")
    String noiseSchedule;

    @Option(
            names = "--noise-anneal-steps",
            defaultValue = "0",
            description =
                    "The step at which an annealed instance noise reaches 0 (default: --steps).")
    long noiseAnnealSteps;

    @Option(
            names = "--noise-on-code",
            description =
                    "With ALI, add instance noise to the code z of each pair too, not only x.")
    boolean noiseOnCode;

    @Option(
            names = "--steps",
            defaultValue = "3000",
            description =
                    "Mini-batches to train, or for produce to write (default: ${DEFAULT-VALUE};"
                            + " "
                            + AUTOENCODER_SECOND_ORDER_STEPS
                            + " gradient batches for a Hessian-free optimizer of the autoencoder,"
                            + " the uRNN or the LSTM). For job, 0 trains for as long as records"
                            + " arrive.")
    long steps;

    @Option(
            names = "--batch-size",
            defaultValue = "100",
            description =
                    "Examples per mini-batch (default: ${DEFAULT-VALUE}; "
                            + URNN_BATCH_SIZE
                            + " for urnn and lstm).")
    int batchSize;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seed of the run: the model's initial weights, the order of the data and every"
                            + " latent draw follow from it (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--latent-dim",
            defaultValue = "64",
            description = "Dimension of the latent code z (default: ${DEFAULT-VALUE}).")
    int latentDim;

    @Option(
            names = "--hidden-units",
            defaultValue = "1024",
            description =
                    "Units in each of the two hidden layers of G, E and D, the complex hidden"
                            + " units of the uRNN, or the LSTM's cells (default: ${DEFAULT-VALUE}; "
                            + URNN_HIDDEN_UNITS
                            + " for urnn and lstm).")
    int hiddenUnits;

    @Option(
            names = "--learning-rate",
            defaultValue = "2e-4",
            description =
                    "Adam's learning rate for all three networks, the --optimizer's for the uRNN"
                            + " and the LSTM, or the autoencoder's first-order optimizer's"
                            + " (default: ${DEFAULT-VALUE}; "
                            + URNN_LEARNING_RATE
                            + " for urnn and lstm; 0.01 for sgd, 1e-3 for adam and rmsprop).")
    double learningRate;

    @Option(
            names = "--bootstrap-servers",
            description =
                    "A Kafka cluster (host:port,...). produce and job need one; without it, train"
                            + " starts a broker in its own process on a free loopback port.")
    String bootstrapServers;

    @Option(
            names = "--run-id",
            description =
                    "Name of the run in every record (default: <model>-seed<SEED>-<date and"
                            + " time>).")
    String runId;

    @Option(
            names = "--topic-prefix",
            defaultValue = "latentflow",
            description =
                    "Prefix of the topic names: <prefix>.data, .latent, .metrics, .snapshots,"
                            + " .images, .dead-letter (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(
            names = "--metrics-interval",
            defaultValue = "10",
            description =
                    "Write a metrics record every N steps (default: ${DEFAULT-VALUE}; every step"
                            + " with a Hessian-free optimizer).")
    int metricsInterval;

    @Option(
            names = "--snapshot-interval",
            defaultValue = "0",
            description =
                    "Write a model snapshot every N steps; 0 writes one after the last step only"
                            + " (default: ${DEFAULT-VALUE}).")
    int snapshotInterval;

    @Option(
            names = "--image-interval",
            defaultValue = "" + TrainerSettings.DEFAULT_IMAGE_INTERVAL,
            description =
                    "Publish a grid of samples, and with ALI one of reconstructions, to the images"
                            + " topic every N steps and after the last; 0 publishes after the"
                            + " last step only (default: ${DEFAULT-VALUE}).")
    int imageInterval;

    /**
     * Checks every value before anything starts, so that a mistake costs a second, not a broker
     * start.
     *
     * @param stepsMayBeZero whether 0 steps means "without end" for the command
     */
    void validate(boolean stepsMayBeZero) {
        if (steps < 0 || (steps == 0 && !stepsMayBeZero)) {
            throw new IllegalArgumentException("--steps must be at least 1, was " + steps);
        }
        if (isRecurrent()) {
            throw new IllegalArgumentException(
                    "--model "
                            + model
                            + " is trained by the train command only, which streams its task");
        }
        if (isAutoencoder()) {
            throw new IllegalArgumentException(
                    "--model autoencoder is trained by the train command only, which streams its"
                            + " images");
        }
        try {
            ModelKind.parse(model);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(
                    "unknown model "
                            + model
                            + "; expected ali, gan, urnn, lstm, autoencoder, ali-mlp or gan-mlp");
        }
        atLeastOne("--batch-size", batchSize);
        atLeastOne("--latent-dim", latentDim);
        atLeastOne("--hidden-units", hiddenUnits);
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException(
                    "--learning-rate must be a positive number, was " + learningRate);
        }
        if (!(instanceNoise >= 0) || !Double.isFinite(instanceNoise)) {
            throw new IllegalArgumentException(
                    "--instance-noise must be 0 or more, was " + instanceNoise);
        }
        trainerSettings();
    }

    private static void atLeastOne(String option, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, was " + value);
        }
    }

    /** Whether the model is the uRNN or the LSTM rather than an adversarial model. */
    boolean isRecurrent() {
        return URNN.equalsIgnoreCase(model) || LSTM.equalsIgnoreCase(model);
    }

    /** Whether the model is the deep autoencoder. */
    boolean isAutoencoder() {
        return AUTOENCODER.equalsIgnoreCase(model);
    }

    /** Whether --curvature-batch was given, which for ALI and the GAN replaces the whole batch. */
    private boolean curvatureBatchGiven;

    /**
     * Applies the defaults of Hessian-free ALI and GAN runs that depend on what the command line
     * gave: a metrics record every step unless --metrics-interval says otherwise, and curvature on
     * the whole batch unless --curvature-batch says otherwise.
     */
    void applyAdversarialDefaults(ParseResult parsed) {
        curvatureBatchGiven = parsed.hasMatchedOption("--curvature-batch");
        if (!isRecurrent()
                && !isAutoencoder()
                && isAdversarialSecondOrder()
                && !parsed.hasMatchedOption("--metrics-interval")) {
            metricsInterval = 1;
        }
    }

    /** Whether ALI or the GAN trains with a Hessian-free --optimizer. */
    boolean isAdversarialSecondOrder() {
        return adversarialSecondOrder().isPresent();
    }

    /**
     * Returns the Hessian-free settings of an ALI or GAN run, or empty for Adam.
     *
     * @throws IllegalArgumentException for an optimizer these models do not offer or a setting out
     *     of range
     */
    java.util.Optional<SecondOrderTraining> adversarialSecondOrder() {
        OptimizerKind kind;
        try {
            kind = OptimizerKind.parse(optimizerOrDefault());
        } catch (IllegalArgumentException unknown) {
            kind = null;
        }
        if (kind == OptimizerKind.ADAM) {
            return java.util.Optional.empty();
        }
        if (kind == null || !kind.isSecondOrder()) {
            throw new IllegalArgumentException(
                    "--optimizer must be adam, hf, gauss-newton or sfhf for --model "
                            + model
                            + ", was "
                            + optimizer);
        }
        if (!(damping > 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("--damping must be positive, was " + damping);
        }
        int innerIterations =
                maxInnerIterations != null
                        ? maxInnerIterations
                        : kind == OptimizerKind.SADDLE_FREE
                                ? SADDLE_FREE_ITERATIONS
                                : CONJUGATE_GRADIENT_ITERATIONS;
        atLeastOne("--max-inner-iterations", innerIterations);
        if (curvatureBatchGiven && (curvatureBatch < 1 || curvatureBatch > batchSize)) {
            throw new IllegalArgumentException(
                    "--curvature-batch must be 1 to --batch-size ("
                            + batchSize
                            + "), was "
                            + curvatureBatch);
        }
        return java.util.Optional.of(
                SecondOrderTraining.of(
                        kind.curvatureMethod(),
                        damping,
                        innerIterations,
                        curvatureBatchGiven ? curvatureBatch : 0));
    }

    /** The --optimizer given, or the model's own: sfhf, rmsprop for the recurrent models, adam. */
    String optimizerOrDefault() {
        if (optimizer != null) {
            return optimizer;
        }
        return isAutoencoder() ? "sfhf" : isRecurrent() ? "rmsprop" : "adam";
    }

    /**
     * Refuses --batch-size and --learning-rate, which a Hessian-free optimizer does not use, each
     * with its own reason.
     *
     * @param firstOrder the model's optimizers that do use them, as the message names them
     * @param examples what a gradient batch counts: examples or sequences
     */
    private static void refuseFirstOrderSettings(
            ParseResult parsed, String firstOrder, String examples) {
        if (parsed.hasMatchedOption("--batch-size")) {
            throw new IllegalArgumentException(
                    "--batch-size is for "
                            + firstOrder
                            + "; a Hessian-free step takes --gradient-batch "
                            + examples);
        }
        if (parsed.hasMatchedOption("--learning-rate")) {
            throw new IllegalArgumentException(
                    "--learning-rate is for "
                            + firstOrder
                            + "; a Hessian-free step has no learning rate");
        }
    }

    /**
     * Returns how the autoencoder trains, with the optimizer's own defaults for the learning rate,
     * the number of steps, the metrics interval and the inner iteration limit wherever the command
     * line did not give one.
     *
     * @param parsed the command line as parsed, which tells an option given from its default
     * @param trainingSetSize images in the training set, to count passes over it
     * @param pixels pixels per image: the autoencoder's input and output width
     */
    AutoencoderTrainerSettings autoencoderTrainerSettings(
            ParseResult parsed, int trainingSetSize, int pixels) {
        OptimizerKind kind;
        try {
            kind = OptimizerKind.parse(optimizerOrDefault());
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(
                    "--optimizer must be one of "
                            + OptimizerKind.optionNames()
                            + ", was "
                            + optimizer);
        }
        boolean secondOrder = kind.isSecondOrder();
        if (parsed.hasMatchedOption("--momentum") && kind != OptimizerKind.SGD) {
            throw new IllegalArgumentException("--momentum needs --optimizer sgd");
        }
        if (secondOrder) {
            refuseFirstOrderSettings(parsed, "sgd, adam and rmsprop", "examples");
        } else {
            for (String option :
                    java.util.List.of(
                            "--gradient-batch",
                            "--curvature-batch",
                            "--damping",
                            "--max-inner-iterations")) {
                if (parsed.hasMatchedOption(option)) {
                    throw new IllegalArgumentException(
                            option + " needs a Hessian-free --optimizer: hf, gauss-newton or sfhf");
                }
            }
        }
        long trainSteps =
                parsed.hasMatchedOption("--steps") || !secondOrder
                        ? steps
                        : AUTOENCODER_SECOND_ORDER_STEPS;
        if (trainSteps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1, was " + trainSteps);
        }
        int[] encoder = parseLayers();
        int[] widths = new int[2 * encoder.length + 1];
        widths[0] = pixels;
        widths[widths.length - 1] = pixels;
        for (int i = 0; i < encoder.length; i++) {
            widths[i + 1] = encoder[i];
            widths[widths.length - 2 - i] = encoder[i];
        }
        atLeastOne("--batch-size", batchSize);
        atLeastOne("--gradient-batch", gradientBatch);
        atLeastOne("--evaluation-examples", evaluationExamples);
        if (curvatureBatch < 1 || curvatureBatch > gradientBatch) {
            throw new IllegalArgumentException(
                    "--curvature-batch must be 1 to --gradient-batch ("
                            + gradientBatch
                            + "), was "
                            + curvatureBatch);
        }
        double rate =
                parsed.hasMatchedOption("--learning-rate")
                        ? learningRate
                        : kind.defaultLearningRate();
        if (!secondOrder && (!(rate > 0) || !Double.isFinite(rate))) {
            throw new IllegalArgumentException(
                    "--learning-rate must be a positive number, was " + rate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("--momentum must be in [0, 1), was " + momentum);
        }
        if (!(damping > 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("--damping must be positive, was " + damping);
        }
        int innerIterations =
                maxInnerIterations != null
                        ? maxInnerIterations
                        : kind == OptimizerKind.SADDLE_FREE
                                ? SADDLE_FREE_ITERATIONS
                                : CONJUGATE_GRADIENT_ITERATIONS;
        atLeastOne("--max-inner-iterations", innerIterations);
        int perStep = secondOrder ? gradientBatch : batchSize;
        if (trainSteps * perStep < evaluationExamples) {
            throw new IllegalArgumentException(
                    "the run streams "
                            + trainSteps * perStep
                            + " examples, fewer than --evaluation-examples "
                            + evaluationExamples
                            + ", on which training waits");
        }
        return new AutoencoderTrainerSettings(
                widths,
                kind,
                seed,
                batchSize,
                gradientBatch,
                curvatureBatch,
                trainSteps,
                parsed.hasMatchedOption("--metrics-interval") || !secondOrder ? metricsInterval : 1,
                secondOrder ? Double.NaN : rate,
                momentum,
                damping,
                innerIterations,
                trainingSetSize,
                evaluationExamples);
    }

    private int[] parseLayers() {
        String[] parts = layers.split(",");
        int[] widths = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                widths[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                widths[i] = 0;
            }
            if (widths[i] < 1) {
                throw new IllegalArgumentException(
                        "--layers must be positive widths separated by commas, as"
                                + " 1000,500,250,30; was "
                                + layers);
            }
        }
        return widths;
    }

    /**
     * Returns how the uRNN or the LSTM trains, with the paper's batch size, hidden size and
     * learning rate wherever the command line did not give one.
     *
     * @param parsed the command line as parsed, which tells an option given from its default
     * @param datasetPath the Fashion-MNIST folder the pixel tasks read
     */
    RecurrentTrainerSettings recurrentTrainerSettings(ParseResult parsed, Path datasetPath) {
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1, was " + steps);
        }
        if (taskLength < 2) {
            throw new IllegalArgumentException(
                    "--task-length must be at least 2, was " + taskLength);
        }
        SequenceTask sequenceTask;
        try {
            sequenceTask = SequenceTask.parse(task);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(
                    "--task must be copying, adding, pixel or permuted-pixel, was " + task);
        }
        int length = taskLength;
        if (sequenceTask.isPixelTask()) {
            if (parsed.hasMatchedOption("--task-length")
                    && taskLength != SequenceTask.IMAGE_PIXELS) {
                throw new IllegalArgumentException(
                        "--task " + task + " has 784 steps; --task-length " + taskLength);
            }
            length = SequenceTask.IMAGE_PIXELS;
        } else {
            for (String option : java.util.List.of("--test-interval", "--test-examples")) {
                if (parsed.hasMatchedOption(option)) {
                    throw new IllegalArgumentException(option + " needs a pixel task");
                }
            }
        }
        if (parsed.hasMatchedOption("--permutation-seed")
                && sequenceTask != SequenceTask.PERMUTED_PIXEL) {
            throw new IllegalArgumentException("--permutation-seed needs --task permuted-pixel");
        }
        RecurrentOptimizer chosen;
        try {
            chosen = RecurrentOptimizer.parse(optimizerOrDefault());
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(
                    "--optimizer must be rmsprop, adam, hf, gauss-newton or sfhf for --model "
                            + model
                            + ", was "
                            + optimizer);
        }
        RecurrentModelKind modelKind = RecurrentModelKind.parse(model);
        HessianFreeSizes sizes = recurrentHessianFreeSizes(parsed, chosen, modelKind);
        if (threads != null && modelKind != RecurrentModelKind.URNN) {
            throw new IllegalArgumentException(
                    "--threads needs --model urnn; the LSTM runs on one thread");
        }
        if (threads != null) {
            atLeastOne("--threads", threads);
        }
        return new RecurrentTrainerSettings(
                modelKind,
                sequenceTask,
                length,
                parsed.hasMatchedOption("--hidden-units") ? hiddenUnits : URNN_HIDDEN_UNITS,
                seed,
                sizes.batch(),
                sizes.steps(),
                sizes.metricsInterval(),
                chosen,
                parsed.hasMatchedOption("--learning-rate")
                        ? learningRate
                        : Double.parseDouble(URNN_LEARNING_RATE),
                URNN_DECAY,
                gradientClip,
                permutationSeed,
                sequenceTask.isPixelTask() ? datasetPath.toString() : null,
                testInterval,
                testExamples,
                sizes.curvatureBatch(),
                sizes.damping(),
                sizes.innerIterations(),
                threads != null ? threads : Runtime.getRuntime().availableProcessors());
    }

    /** A recurrent run's sequences per step, steps, metrics interval and Hessian-free settings. */
    private record HessianFreeSizes(
            int batch,
            long steps,
            int metricsInterval,
            int curvatureBatch,
            double damping,
            int innerIterations) {}

    /**
     * For a Hessian-free --optimizer, a step takes --gradient-batch sequences (default {@value
     * #RECURRENT_GRADIENT_BATCH}) and its curvature products the first --curvature-batch of them
     * (default {@value #RECURRENT_CURVATURE_BATCH}), and --steps and --metrics-interval default to
     * 20 and 1 as for the autoencoder; the model must offer curvature products. For RMSProp and
     * Adam the Hessian-free options are refused.
     */
    private HessianFreeSizes recurrentHessianFreeSizes(
            ParseResult parsed, RecurrentOptimizer chosen, RecurrentModelKind modelKind) {
        java.util.List<String> secondOrderOptions =
                java.util.List.of(
                        "--gradient-batch",
                        "--curvature-batch",
                        "--damping",
                        "--max-inner-iterations");
        if (!chosen.isSecondOrder()) {
            for (String option : secondOrderOptions) {
                if (parsed.hasMatchedOption(option)) {
                    throw new IllegalArgumentException(
                            option + " needs a Hessian-free --optimizer: hf, gauss-newton or sfhf");
                }
            }
            return new HessianFreeSizes(
                    parsed.hasMatchedOption("--batch-size") ? batchSize : URNN_BATCH_SIZE,
                    steps,
                    metricsInterval,
                    0,
                    Double.NaN,
                    0);
        }
        if (!modelKind.hasCurvature()) {
            throw new IllegalArgumentException(
                    "--optimizer "
                            + chosen.optionName()
                            + " needs curvature products, and --model "
                            + modelKind.optionName()
                            + " has none yet; train it with rmsprop or adam");
        }
        refuseFirstOrderSettings(parsed, "rmsprop and adam", "sequences");
        if (parsed.hasMatchedOption("--gradient-clip")) {
            throw new IllegalArgumentException(
                    "--gradient-clip is for rmsprop and adam; a Hessian-free step is not clipped");
        }
        int gradient =
                parsed.hasMatchedOption("--gradient-batch")
                        ? gradientBatch
                        : RECURRENT_GRADIENT_BATCH;
        int curvature =
                parsed.hasMatchedOption("--curvature-batch")
                        ? curvatureBatch
                        : Math.min(RECURRENT_CURVATURE_BATCH, Math.max(1, gradient));
        atLeastOne("--gradient-batch", gradient);
        if (curvature < 1 || curvature > gradient) {
            throw new IllegalArgumentException(
                    "--curvature-batch must be 1 to --gradient-batch ("
                            + gradient
                            + "), was "
                            + curvature);
        }
        if (!(damping > 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("--damping must be positive, was " + damping);
        }
        int innerIterations =
                maxInnerIterations != null
                        ? maxInnerIterations
                        : chosen == RecurrentOptimizer.SADDLE_FREE
                                ? SADDLE_FREE_ITERATIONS
                                : CONJUGATE_GRADIENT_ITERATIONS;
        atLeastOne("--max-inner-iterations", innerIterations);
        return new HessianFreeSizes(
                gradient,
                parsed.hasMatchedOption("--steps") ? steps : AUTOENCODER_SECOND_ORDER_STEPS,
                parsed.hasMatchedOption("--metrics-interval") ? metricsInterval : 1,
                curvature,
                damping,
                innerIterations);
    }

    AdversarialConfig modelConfig() {
        return AdversarialConfig.mlpDefaults()
                .withModel(ModelKind.parse(model))
                .withGeneratorCost(GeneratorCost.parse(generatorCost))
                .withLatentDim(latentDim)
                .withHiddenUnits(hiddenUnits)
                .withLearningRate(learningRate);
    }

    InstanceNoise instanceNoiseSettings() {
        NoiseSchedule schedule = NoiseSchedule.parse(noiseSchedule);
        long annealSteps =
                schedule == NoiseSchedule.CONSTANT || noiseAnnealSteps > 0
                        ? noiseAnnealSteps
                        : steps;
        if (noiseOnCode && ModelKind.parse(model) != ModelKind.ALI) {
            throw new IllegalArgumentException("--noise-on-code needs --model ali: a GAN has no z");
        }
        return new InstanceNoise(instanceNoise, schedule, annealSteps, noiseOnCode);
    }

    TrainerSettings trainerSettings() {
        TrainerSettings settings =
                TrainerSettings.of(
                        modelConfig(),
                        instanceNoiseSettings(),
                        batchSize,
                        steps,
                        metricsInterval,
                        snapshotInterval,
                        imageInterval);
        return adversarialSecondOrder().map(settings::withSecondOrder).orElse(settings);
    }

    TopicNames topics() {
        return TopicNames.withPrefix(topicPrefix);
    }

    /** The run id given, or one made from the seed and the time the run started. */
    String runIdOrDefault() {
        if (runId == null) {
            runId =
                    (isRecurrent()
                                    ? model.toLowerCase(java.util.Locale.ROOT)
                                    : isAutoencoder()
                                            ? AUTOENCODER + "-" + optimizerOrDefault()
                                            : ModelKind.parse(model)
                                                    .name()
                                                    .toLowerCase(java.util.Locale.ROOT))
                            + "-seed"
                            + seed
                            + "-"
                            + LocalDateTime.now()
                                    .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        }
        return runId;
    }

    /** Examples (and latent draws) the run consumes. */
    long examples() {
        return steps * batchSize;
    }
}
