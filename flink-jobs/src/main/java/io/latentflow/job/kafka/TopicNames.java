package io.latentflow.job.kafka;

import java.util.List;
import java.util.Objects;

/**
 * The names of the six topics a LatentFlow deployment uses.
 *
 * <p>Tests and parallel deployments on one cluster keep apart by giving each its own prefix.
 *
 * @param data training examples, one {@code DataSample} per record
 * @param latent the random draws of each training step, one {@code LatentSample} per record
 * @param metrics what training steps measured, {@code TrainingMetrics} records
 * @param snapshots the model's parameters after a step, {@code ModelSnapshot} records
 * @param images sample and reconstruction grids drawn every few steps, {@code SampleGrid} records
 * @param deadLetter records the job could not use, {@code DeadLetter} records
 */
public record TopicNames(
        String data,
        String latent,
        String metrics,
        String snapshots,
        String images,
        String deadLetter) {

    private static final String DEFAULT_PREFIX = "latentflow";

    /** Checks that every name is given and that no two topics share a name. */
    public TopicNames {
        List<String> names = List.of(data, latent, metrics, snapshots, images, deadLetter);
        for (String name : names) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("Topic names must not be blank: " + names);
            }
        }
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("Topic names must differ: " + names);
        }
    }

    /** Returns the production names: {@code latentflow.data}, {@code latentflow.latent}, .... */
    public static TopicNames defaults() {
        return withPrefix(DEFAULT_PREFIX);
    }

    /**
     * Returns the six names under a prefix, for example {@code run7.data} for the prefix {@code
     * run7}; {@code withPrefix("latentflow")} gives the {@link #defaults()}.
     */
    public static TopicNames withPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isBlank()) {
            throw new IllegalArgumentException("The topic prefix must not be blank");
        }
        return new TopicNames(
                prefix + ".data",
                prefix + ".latent",
                prefix + ".metrics",
                prefix + ".snapshots",
                prefix + ".images",
                prefix + ".dead-letter");
    }

    /** Returns the six names, data topic first and dead-letter topic last. */
    public List<String> all() {
        return List.of(data, latent, metrics, snapshots, images, deadLetter);
    }
}
