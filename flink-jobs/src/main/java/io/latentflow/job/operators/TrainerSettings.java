package io.latentflow.job.operators;

import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.InstanceNoise;
import io.latentflow.core.model.SecondOrderTraining;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the trainer operator trains every run it sees.
 *
 * @param model the model's hyperparameters and instance noise, as {@link
 *     AdversarialConfig#describe()} and {@link InstanceNoise#describe()} write them
 * @param batchSize examples per mini-batch
 * @param steps mini-batches to train per run; 0 trains for as long as examples arrive
 * @param metricsInterval a metrics record every this many steps (and at the first and last)
 * @param snapshotInterval a model snapshot every this many steps (0: only after the last step)
 * @param imageInterval a samples grid, and with ALI a reconstructions grid, every this many steps
 *     (0: only after the last step)
 * @param firstSequence the sequence number of each run's first example: 0 for a run trained from
 *     its beginning, more for a replay that starts later in the run's records
 */
public record TrainerSettings(
        HashMap<String, String> model,
        int batchSize,
        long steps,
        int metricsInterval,
        int snapshotInterval,
        int imageInterval,
        long firstSequence)
        implements Serializable {

    /** The image interval of a run that does not choose one. */
    public static final int DEFAULT_IMAGE_INTERVAL = 500;

    public TrainerSettings {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, was " + steps);
        }
        if (metricsInterval < 1) {
            throw new IllegalArgumentException(
                    "metrics interval must be at least 1, was " + metricsInterval);
        }
        if (snapshotInterval < 0) {
            throw new IllegalArgumentException(
                    "snapshot interval must not be negative, was " + snapshotInterval);
        }
        if (imageInterval < 0) {
            throw new IllegalArgumentException(
                    "image interval must not be negative, was " + imageInterval);
        }
        if (firstSequence < 0) {
            throw new IllegalArgumentException(
                    "first sequence must not be negative, was " + firstSequence);
        }
    }

    /** Settings with grids every {@link #DEFAULT_IMAGE_INTERVAL} steps and after the last. */
    public static TrainerSettings of(
            AdversarialConfig config,
            InstanceNoise instanceNoise,
            int batchSize,
            long steps,
            int metricsInterval,
            int snapshotInterval) {
        return of(
                config,
                instanceNoise,
                batchSize,
                steps,
                metricsInterval,
                snapshotInterval,
                DEFAULT_IMAGE_INTERVAL);
    }

    /** Settings from a model configuration and instance noise, with every interval given. */
    public static TrainerSettings of(
            AdversarialConfig config,
            InstanceNoise instanceNoise,
            int batchSize,
            long steps,
            int metricsInterval,
            int snapshotInterval,
            int imageInterval) {
        HashMap<String, String> model = new HashMap<>(config.describe());
        model.putAll(instanceNoise.describe());
        return new TrainerSettings(
                model, batchSize, steps, metricsInterval, snapshotInterval, imageInterval, 0);
    }

    /** These settings with {@code stepsToTrain} steps per run; 0 trains without end. */
    public TrainerSettings withSteps(long stepsToTrain) {
        return new TrainerSettings(
                model,
                batchSize,
                stepsToTrain,
                metricsInterval,
                snapshotInterval,
                imageInterval,
                firstSequence);
    }

    /** These settings for runs whose first example has sequence number {@code sequence}. */
    public TrainerSettings startingAt(long sequence) {
        return new TrainerSettings(
                model,
                batchSize,
                steps,
                metricsInterval,
                snapshotInterval,
                imageInterval,
                sequence);
    }

    /**
     * These settings with every update made of one Hessian-free step per player; the settings go
     * into the model description, and so into manifests and snapshots, under {@link
     * SecondOrderTraining#describe()}'s keys.
     */
    public TrainerSettings withSecondOrder(SecondOrderTraining training) {
        HashMap<String, String> described = new HashMap<>(model);
        described.putAll(training.describe());
        return new TrainerSettings(
                described,
                batchSize,
                steps,
                metricsInterval,
                snapshotInterval,
                imageInterval,
                firstSequence);
    }

    /** Returns the Hessian-free settings, or empty for Adam. */
    public Optional<SecondOrderTraining> secondOrder() {
        return SecondOrderTraining.fromDescription(model);
    }

    public AdversarialConfig config() {
        return AdversarialConfig.fromDescription(model);
    }

    public InstanceNoise instanceNoise() {
        return InstanceNoise.fromDescription(model);
    }

    /** The hyperparameters and batch size, for snapshots and manifests. */
    public Map<String, String> describe() {
        Map<String, String> description = new HashMap<>(model);
        description.put("batchSize", Integer.toString(batchSize));
        return description;
    }
}
