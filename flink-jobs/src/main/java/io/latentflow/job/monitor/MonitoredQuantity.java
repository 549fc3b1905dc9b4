package io.latentflow.job.monitor;

import io.latentflow.schema.AutoencoderTrainingMetrics;
import io.latentflow.schema.SequenceTrainingMetrics;
import io.latentflow.schema.TrainingMetrics;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The numbers of a metrics record that the monitor keeps and draws, each with the name the page and
 * the JSON use and the column that {@code metrics.csv} gives it. The monitoring topic carries three
 * kinds of record: {@link TrainingMetrics} of the adversarial models, {@link
 * SequenceTrainingMetrics} of the recurrent ones and {@link AutoencoderTrainingMetrics} of the deep
 * autoencoder; a quantity that a kind does not report reads as NaN in its records, and the page and
 * the PNG files leave out a chart that no run has a value for.
 */
public enum MonitoredQuantity {
    DISCRIMINATOR_LOSS(
            "discriminatorLoss",
            "discriminator_loss",
            adversarial(TrainingMetrics::getDiscriminatorLoss)),
    GENERATOR_LOSS(
            "generatorLoss", "generator_loss", adversarial(TrainingMetrics::getGeneratorLoss)),
    RECONSTRUCTION_ERROR(
            "reconstructionError",
            "reconstruction_error",
            adversarial(TrainingMetrics::getReconstructionError)),
    DISCRIMINATOR_ACCURACY(
            "discriminatorAccuracy",
            "discriminator_accuracy",
            adversarial(TrainingMetrics::getDiscriminatorAccuracy)),
    REAL_ACCURACY("realAccuracy", "real_accuracy", adversarial(TrainingMetrics::getRealAccuracy)),
    FAKE_ACCURACY("fakeAccuracy", "fake_accuracy", adversarial(TrainingMetrics::getFakeAccuracy)),
    DISCRIMINATOR_GRAD_NORM(
            "discriminatorGradNorm",
            "discriminator_grad_norm",
            adversarial(TrainingMetrics::getDiscriminatorGradNorm)),
    GENERATOR_GRAD_NORM(
            "generatorGradNorm",
            "generator_grad_norm",
            adversarial(TrainingMetrics::getGeneratorGradNorm)),
    ENCODER_GRAD_NORM(
            "encoderGradNorm",
            "encoder_grad_norm",
            adversarial(TrainingMetrics::getEncoderGradNorm)),
    GENERATOR_GRAD_NORM_MEAN(
            "generatorGradNormMean",
            "generator_grad_norm_mean",
            adversarial(TrainingMetrics::getGeneratorGradNormMean)),
    JSD_ESTIMATE("jsdEstimate", "jsd_estimate", adversarial(TrainingMetrics::getJsdEstimate)),
    INSTANCE_NOISE_SIGMA(
            "instanceNoiseSigma",
            "instance_noise_sigma",
            adversarial(TrainingMetrics::getInstanceNoiseSigma)),
    /** The recurrent model's loss on the step's batch, before the update. */
    SEQUENCE_LOSS("sequenceLoss", "loss", sequence(SequenceTrainingMetrics::getLoss)),
    /** The loss of the task's memoryless baseline, which a recurrent model has to beat. */
    BASELINE_LOSS(
            "baselineLoss", "baseline_loss", sequence(SequenceTrainingMetrics::getBaselineLoss)),
    /** Copying recall or pixel-task classification accuracy on the step's batch. */
    BATCH_ACCURACY("batchAccuracy", "accuracy", sequence(SequenceTrainingMetrics::getAccuracy)),
    /** Held-out accuracy of the pixel tasks, NaN at the steps without a test. */
    TEST_ACCURACY(
            "testAccuracy", "test_accuracy", sequence(SequenceTrainingMetrics::getTestAccuracy)),
    /** max |W^H W - I| of the uRNN's recurrent matrix; NaN for the LSTM. */
    UNITARITY_DEVIATION(
            "unitarityDeviation",
            "unitarity_deviation",
            sequence(SequenceTrainingMetrics::getUnitarityDeviation)),
    /** The recurrent model's whole gradient norm. */
    GRADIENT_NORM(
            "gradientNorm", "gradient_norm", sequence(SequenceTrainingMetrics::getGradientNorm)),
    /** The autoencoder's summed squared error per image on its fixed evaluation images. */
    TRAINING_ERROR(
            "trainingError",
            "training_error",
            autoencoder(AutoencoderTrainingMetrics::getTrainingError)),
    /**
     * A Hessian-free step's Tikhonov damping, of the autoencoder or a recurrent model; NaN for
     * first-order optimizers.
     */
    DAMPING(
            "damping",
            "damping",
            secondOrder(
                    metrics -> orNaN(metrics.getDamping()),
                    metrics -> orNaN(metrics.getDamping()))),
    /** A Hessian-free step's inner (conjugate-gradient or Krylov) iterations. */
    INNER_ITERATIONS(
            "innerIterations",
            "inner_iterations",
            secondOrder(
                    metrics -> orNaN(metrics.getInnerIterations()),
                    metrics -> orNaN(metrics.getInnerIterations()))),
    SAMPLES_PER_SECOND(
            "samplesPerSecond",
            "samples_per_second",
            every(
                    TrainingMetrics::getSamplesPerSecond,
                    SequenceTrainingMetrics::getSamplesPerSecond,
                    AutoencoderTrainingMetrics::getSamplesPerSecond)),
    DEAD_LETTERS(
            "deadLetters",
            "dead_letters",
            every(
                    TrainingMetrics::getDeadLetters,
                    SequenceTrainingMetrics::getDeadLetters,
                    AutoencoderTrainingMetrics::getDeadLetters)),
    SKIPPED_STEPS(
            "skippedSteps",
            "skipped_steps",
            every(
                    TrainingMetrics::getSkippedSteps,
                    SequenceTrainingMetrics::getSkippedSteps,
                    AutoencoderTrainingMetrics::getSkippedSteps));

    private final String key;
    private final String csvColumn;
    private final Readers readers;

    MonitoredQuantity(String key, String csvColumn, Readers readers) {
        this.key = key;
        this.csvColumn = csvColumn;
        this.readers = readers;
    }

    /** Returns the name used in the monitor's JSON and page, the Avro field's own name. */
    public String key() {
        return key;
    }

    /** Returns the column of {@code metrics.csv} that holds this quantity. */
    public String csvColumn() {
        return csvColumn;
    }

    /** Returns this quantity's value in an adversarial record, NaN if it reports none. */
    public double valueOf(TrainingMetrics metrics) {
        return readers.adversarial == null
                ? Double.NaN
                : readers.adversarial.applyAsDouble(metrics);
    }

    /** Returns this quantity's value in a recurrent record, NaN if it reports none. */
    public double valueOf(SequenceTrainingMetrics metrics) {
        return readers.sequence == null ? Double.NaN : readers.sequence.applyAsDouble(metrics);
    }

    /** Returns this quantity's value in an autoencoder record, NaN if it reports none. */
    public double valueOf(AutoencoderTrainingMetrics metrics) {
        return readers.autoencoder == null
                ? Double.NaN
                : readers.autoencoder.applyAsDouble(metrics);
    }

    /** Returns the quantity with this JSON name, if there is one. */
    public static Optional<MonitoredQuantity> ofKey(String key) {
        for (MonitoredQuantity quantity : values()) {
            if (quantity.key.equals(key)) {
                return Optional.of(quantity);
            }
        }
        return Optional.empty();
    }

    /** How each kind of record gives the quantity; null for a kind that does not report it. */
    private record Readers(
            ToDoubleFunction<TrainingMetrics> adversarial,
            ToDoubleFunction<SequenceTrainingMetrics> sequence,
            ToDoubleFunction<AutoencoderTrainingMetrics> autoencoder) {}

    private static Readers adversarial(ToDoubleFunction<TrainingMetrics> reader) {
        return new Readers(reader, null, null);
    }

    private static Readers sequence(ToDoubleFunction<SequenceTrainingMetrics> reader) {
        return new Readers(null, reader, null);
    }

    private static Readers autoencoder(ToDoubleFunction<AutoencoderTrainingMetrics> reader) {
        return new Readers(null, null, reader);
    }

    private static Readers secondOrder(
            ToDoubleFunction<SequenceTrainingMetrics> sequence,
            ToDoubleFunction<AutoencoderTrainingMetrics> autoencoder) {
        return new Readers(null, sequence, autoencoder);
    }

    private static Readers every(
            ToDoubleFunction<TrainingMetrics> adversarial,
            ToDoubleFunction<SequenceTrainingMetrics> sequence,
            ToDoubleFunction<AutoencoderTrainingMetrics> autoencoder) {
        return new Readers(adversarial, sequence, autoencoder);
    }

    private static double orNaN(Number value) {
        return value == null ? Double.NaN : value.doubleValue();
    }
}
