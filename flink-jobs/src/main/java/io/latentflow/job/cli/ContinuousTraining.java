package io.latentflow.job.cli;

import io.latentflow.job.AdversarialTrainingJob;
import io.latentflow.job.Checkpointing;
import io.latentflow.job.JobSettings;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.TrainerSettings;
import io.latentflow.job.produce.IdxImageSource;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train --continuous}: one run trained for as long as its records keep arriving, with
 * exactly-once checkpoints in the run folder, resumed from the newest checkpoint or savepoint there
 * when started again.
 *
 * <p>The first session writes the run's first {@code --steps} mini-batches; later records come from
 * {@code latentflow produce --first-step}. A session ends when interrupted, or at {@code
 * --stop-at-step} with a savepoint that the next session resumes from.
 */
final class ContinuousTraining {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousTraining.class);

    private final TrainingOptions options;
    private final Path folder;
    private final int parallelism;
    private final Duration checkpointInterval;
    private final long stopAtStep;

    ContinuousTraining(
            TrainingOptions options,
            Path folder,
            int parallelism,
            Duration checkpointInterval,
            long stopAtStep) {
        this.options = options;
        this.folder = folder;
        this.parallelism = parallelism;
        this.checkpointInterval = checkpointInterval;
        this.stopAtStep = stopAtStep;
    }

    int run(String runId, IdxImageSource images, Configuration cluster, PrintWriter out)
            throws Exception {
        String bootstrap = options.bootstrapServers;
        TopicNames topics = options.topics();
        TopicAdministration.ensureTopics(bootstrap, topics);
        Path checkpoints = folder.resolve("checkpoints");
        Path savepoints = folder.resolve("savepoints");
        new Checkpointing(checkpointInterval, checkpoints, 3, Duration.ofSeconds(5))
                .applyTo(cluster);
        Optional<Path> resumeFrom = newestRetainedState(checkpoints, savepoints);
        Map<TopicPartition, Long> metricsStart =
                TopicAdministration.endOffsets(bootstrap, topics.metrics());
        Map<TopicPartition, Long> snapshotStart =
                TopicAdministration.endOffsets(bootstrap, topics.snapshots());

        StreamFeed feed = null;
        Thread feeding = null;
        if (resumeFrom.isPresent()) {
            cluster.set(StateRecoveryOptions.SAVEPOINT_PATH, resumeFrom.get().toUri().toString());
            out.printf("Run %s: resuming from %s%n", runId, resumeFrom.get());
        } else {
            feed = StreamFeed.plan(bootstrap, topics, runId, options);
            feeding = feed.startInBackground(images, options);
            out.printf(
                    "Run %s: writing its first %d steps; append more with latentflow produce"
                            + " --run-id %s --first-step %d%n",
                    runId, options.steps, runId, options.steps);
        }
        out.flush();

        // Reads on past the records written so far: new ones are trained as they arrive.
        TrainerSettings trainer = options.trainerSettings().withSteps(stopAtStep);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, cluster);
        AdversarialTrainingJob.build(
                env,
                new JobSettings(
                        bootstrap,
                        topics,
                        runId,
                        trainer,
                        feed == null ? null : feed.dataStart(),
                        null,
                        feed == null ? null : feed.latentStart(),
                        null,
                        null));
        ProgressDisplay<TrainingMetrics> progress =
                ProgressDisplay.adversarial(out, stopAtStep, System.console() != null);
        try (MetricsFollower<TrainingMetrics> follower =
                MetricsFollower.trainingMetrics(bootstrap, metricsStart, runId, progress::show)) {
            Thread following = new Thread(follower, "metrics-follower");
            following.setDaemon(true);
            following.start();
            JobClient job = env.executeAsync("latentflow-train-continuous-" + runId);
            if (stopAtStep == 0) {
                job.getJobExecutionResult().get();
                return 0;
            }
            while (!follower.awaitStep(stopAtStep, Duration.ofSeconds(1))) {
                if (job.getJobStatus().get().isTerminalState()) {
                    // Surfaces the job's failure; a job that ended otherwise is reported below.
                    job.getJobExecutionResult().get();
                    throw new IllegalStateException(
                            "the job ended before step " + stopAtStep + " without an error");
                }
            }
            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    savepoints.toAbsolutePath().toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(10, TimeUnit.MINUTES);
            progress.finish();
            LOG.info("Run {}: stopped at step {} with savepoint {}", runId, stopAtStep, savepoint);

            if (feeding != null) {
                feeding.join();
                feed.rethrowFailure();
            }
            ModelSnapshot snapshot =
                    SnapshotReader.find(
                            bootstrap,
                            topics.snapshots(),
                            snapshotStart,
                            runId,
                            stopAtStep,
                            Duration.ofSeconds(60));
            SnapshotFiles.write(Files.createDirectories(folder.resolve("snapshots")), snapshot);
            out.printf(
                    "Stopped at step %d with a savepoint in %s; started again with the same run"
                            + " folder, training resumes there. Parameter hash %s%n",
                    stopAtStep, savepoint, snapshot.getParameterHash());
            out.flush();
            return 0;
        }
    }

    /** The newest complete checkpoint or savepoint in the run folder, if any. */
    static Optional<Path> newestRetainedState(Path... roots) throws IOException {
        Path newest = null;
        long newestTime = Long.MIN_VALUE;
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root, 3)) {
                for (Path metadata :
                        files.filter(p -> p.getFileName().toString().equals("_metadata"))
                                .sorted(Comparator.naturalOrder())
                                .toList()) {
                    long time = Files.getLastModifiedTime(metadata).toMillis();
                    if (time >= newestTime) {
                        newest = metadata.getParent();
                        newestTime = time;
                    }
                }
            }
        }
        return Optional.ofNullable(newest);
    }
}
