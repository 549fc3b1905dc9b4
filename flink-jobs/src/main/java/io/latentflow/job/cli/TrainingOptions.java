package io.latentflow.job.cli;

import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.GeneratorCost;
import io.latentflow.core.model.InstanceNoise;
import io.latentflow.core.model.ModelKind;
import io.latentflow.core.model.NoiseSchedule;
import io.latentflow.job.kafka.TopicNames;
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

    @Option(
            names = "--model",
            defaultValue = "ali",
            description =
                    "ali (generator, encoder and a discriminator on pairs (x, z)), gan"
                            + " (generator and a discriminator on x), urnn (a unitary evolution"
                            + " RNN on --task; train only) or lstm (the LSTM baseline on --task;"
                            + " train only) (default: ${DEFAULT-VALUE}).")
    String model;

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
            names = "--optimizer",
            defaultValue = "rmsprop",
            description =
                    "With --model urnn or lstm: rmsprop (the paper's, decay 0.9) or adam (beta1"
                            + " 0.9, beta2 0.999) (default: ${DEFAULT-VALUE}).")
    String optimizer;

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
                    "Mini-batches to train, or for produce to write (default: ${DEFAULT-VALUE})."
                            + " For job, 0 trains for as long as records arrive.")
    long steps;

    @Option(
            names = "--batch-size",
            defaultValue = "100",
            description =
                    "Examples per mini-batch (default: ${DEFAULT-VALUE}; "
                            + URNN_BATCH_SIZE
                            + " for urnn).")
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
                    "Units in each of the two hidden layers of G, E and D, or the complex hidden"
                            + " units of the uRNN (default: ${DEFAULT-VALUE}; "
                            + URNN_HIDDEN_UNITS
                            + " for urnn).")
    int hiddenUnits;

    @Option(
            names = "--learning-rate",
            defaultValue = "2e-4",
            description =
                    "Adam's learning rate for all three networks, or RMSProp's for the uRNN"
                            + " (default: ${DEFAULT-VALUE}; "
                            + URNN_LEARNING_RATE
                            + " for urnn).")
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
            description = "Write a metrics record every N steps (default: ${DEFAULT-VALUE}).")
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
        try {
            ModelKind.parse(model);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(
                    "unknown model "
                            + model
                            + "; expected ali, gan, urnn, lstm, ali-mlp or gan-mlp");
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
            chosen = RecurrentOptimizer.parse(optimizer);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(
                    "--optimizer must be rmsprop or adam, was " + optimizer);
        }
        return new RecurrentTrainerSettings(
                RecurrentModelKind.parse(model),
                sequenceTask,
                length,
                parsed.hasMatchedOption("--hidden-units") ? hiddenUnits : URNN_HIDDEN_UNITS,
                seed,
                parsed.hasMatchedOption("--batch-size") ? batchSize : URNN_BATCH_SIZE,
                steps,
                metricsInterval,
                chosen,
                parsed.hasMatchedOption("--learning-rate")
                        ? learningRate
                        : Double.parseDouble(URNN_LEARNING_RATE),
                URNN_DECAY,
                gradientClip,
                permutationSeed,
                sequenceTask.isPixelTask() ? datasetPath.toString() : null,
                testInterval,
                testExamples);
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
        return TrainerSettings.of(
                modelConfig(),
                instanceNoiseSettings(),
                batchSize,
                steps,
                metricsInterval,
                snapshotInterval,
                imageInterval);
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
