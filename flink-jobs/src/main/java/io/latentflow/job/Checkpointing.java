package io.latentflow.job;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;

/**
 * How a training job survives failures: exactly-once checkpoints every {@code interval} into {@code
 * directory}, and a bounded number of restarts from the latest of them.
 *
 * <p>A checkpoint holds every run's model with its optimizer state, the examples and latent draws
 * waiting for their mini-batch, and the Kafka source offsets, so a restored job trains on exactly
 * as the failed one would have. With checkpoints on, {@link AdversarialTrainingJob} writes its
 * output topics in Kafka transactions that commit with each checkpoint. Checkpoints are kept when
 * the job is cancelled, so that a later job can resume from the last one.
 *
 * @param interval time between checkpoints
 * @param directory where checkpoints are written (a local folder)
 * @param restartAttempts restarts allowed before the job fails for good
 * @param restartDelay wait before each restart
 */
public record Checkpointing(
        Duration interval, Path directory, int restartAttempts, Duration restartDelay) {

    public Checkpointing {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(restartDelay, "restartDelay");
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException(
                    "the checkpoint interval must be at least 10 ms, was " + interval.toMillis());
        }
        if (restartAttempts < 0) {
            throw new IllegalArgumentException(
                    "restart attempts must not be negative, was " + restartAttempts);
        }
    }

    /**
     * Adds checkpointing and the restart strategy to a Flink configuration.
     *
     * @param config the configuration of the environment the job runs in
     * @return {@code config}
     */
    public Configuration applyTo(Configuration config) {
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        config.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                directory.toAbsolutePath().toUri().toString());
        config.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restartAttempts);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, restartDelay);
        return config;
    }
}
