package io.latentflow.job.monitor;

import io.latentflow.schema.TrainingMetrics;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The numbers of a {@link TrainingMetrics} record that the monitor keeps and draws, each with the
 * name the page and the JSON use and the column that {@code metrics.csv} gives it.
 */
public enum MonitoredQuantity {
    DISCRIMINATOR_LOSS(
            "discriminatorLoss", "discriminator_loss", TrainingMetrics::getDiscriminatorLoss),
    GENERATOR_LOSS("generatorLoss", "generator_loss", TrainingMetrics::getGeneratorLoss),
    RECONSTRUCTION_ERROR(
            "reconstructionError", "reconstruction_error", TrainingMetrics::getReconstructionError),
    DISCRIMINATOR_ACCURACY(
            "discriminatorAccuracy",
            "discriminator_accuracy",
            TrainingMetrics::getDiscriminatorAccuracy),
    REAL_ACCURACY("realAccuracy", "real_accuracy", TrainingMetrics::getRealAccuracy),
    FAKE_ACCURACY("fakeAccuracy", "fake_accuracy", TrainingMetrics::getFakeAccuracy),
    DISCRIMINATOR_GRAD_NORM(
            "discriminatorGradNorm",
            "discriminator_grad_norm",
            TrainingMetrics::getDiscriminatorGradNorm),
    GENERATOR_GRAD_NORM(
            "generatorGradNorm", "generator_grad_norm", TrainingMetrics::getGeneratorGradNorm),
    ENCODER_GRAD_NORM("encoderGradNorm", "encoder_grad_norm", TrainingMetrics::getEncoderGradNorm),
    GENERATOR_GRAD_NORM_MEAN(
            "generatorGradNormMean",
            "generator_grad_norm_mean",
            TrainingMetrics::getGeneratorGradNormMean),
    JSD_ESTIMATE("jsdEstimate", "jsd_estimate", TrainingMetrics::getJsdEstimate),
    INSTANCE_NOISE_SIGMA(
            "instanceNoiseSigma", "instance_noise_sigma", TrainingMetrics::getInstanceNoiseSigma),
    SAMPLES_PER_SECOND(
            "samplesPerSecond", "samples_per_second", TrainingMetrics::getSamplesPerSecond),
    DEAD_LETTERS("deadLetters", "dead_letters", metrics -> metrics.getDeadLetters()),
    SKIPPED_STEPS("skippedSteps", "skipped_steps", metrics -> metrics.getSkippedSteps());

    private final String key;
    private final String csvColumn;
    private final ToDoubleFunction<TrainingMetrics> reader;

    MonitoredQuantity(String key, String csvColumn, ToDoubleFunction<TrainingMetrics> reader) {
        this.key = key;
        this.csvColumn = csvColumn;
        this.reader = reader;
    }

    /** Returns the name used in the monitor's JSON and page, the Avro field's own name. */
    public String key() {
        return key;
    }

    /** Returns the column of {@code metrics.csv} that holds this quantity. */
    public String csvColumn() {
        return csvColumn;
    }

    /** Returns this quantity's value in a record. */
    public double valueOf(TrainingMetrics metrics) {
        return reader.applyAsDouble(metrics);
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
}
