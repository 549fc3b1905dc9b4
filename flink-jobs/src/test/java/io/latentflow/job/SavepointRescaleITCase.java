package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.TrainerSettings;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint, restore with another parallelism: two runs train halfway in a job of
 * parallelism 1, which is stopped with a savepoint; a job of parallelism 2 restores it and trains
 * both to the end. Their parameters must equal those of one uninterrupted job, and every step's
 * metrics must have been committed once, by one job or the other.
 */
class SavepointRescaleITCase {
    private static final long STEPS = 60;
    private static final long HALF = STEPS / 2;
    private static final List<String> RUNS = List.of("run-a", "run-b");

    @TempDir static Path temporary;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start(temporary.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void aJobStoppedWithASavepointContinuesWithTwiceTheParallelismAsIfNeverStopped()
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames uninterrupted = TopicNames.withPrefix("uninterrupted");
        TopicNames rescaled = TopicNames.withPrefix("rescaled");
        TopicAdministration.ensureTopics(bootstrap, uninterrupted);
        TopicAdministration.ensureTopics(bootstrap, rescaled);
        TrainerSettings trainer = PipelineFixture.trainer(STEPS, 1);
        for (TopicNames topics : List.of(uninterrupted, rescaled)) {
            produceHalf(bootstrap, topics, 0);
        }
        produceHalf(bootstrap, uninterrupted, HALF);
        PipelineFixture.runJob(bootstrap, uninterrupted, "run-a", trainer, null, null);

        // The job's stop offsets lie beyond the records written so far, so it waits at step HALF.
        long records = 2 * STEPS * PipelineFixture.BATCH_SIZE;
        TopicPartition data = new TopicPartition(rescaled.data(), 0);
        TopicPartition latent = new TopicPartition(rescaled.latent(), 0);
        JobSettings settings =
                new JobSettings(
                        bootstrap,
                        rescaled,
                        "run-a",
                        trainer,
                        Map.of(data, 0L),
                        Map.of(data, records),
                        Map.of(latent, 0L),
                        Map.of(latent, records),
                        null);
        StreamExecutionEnvironment first =
                StreamExecutionEnvironment.createLocalEnvironment(1, checkpointing("first"));
        AdversarialTrainingJob.build(first, settings);
        JobClient firstJob = first.executeAsync("savepoint-test-first");
        awaitStep(bootstrap, rescaled, HALF);
        String savepoint =
                firstJob.stopWithSavepoint(
                                false,
                                temporary.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(120, TimeUnit.SECONDS);

        produceHalf(bootstrap, rescaled, HALF);
        Configuration restore = checkpointing("second");
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment second =
                StreamExecutionEnvironment.createLocalEnvironment(2, restore);
        AdversarialTrainingJob.build(second, settings);
        JobClient secondJob = second.executeAsync("savepoint-test-second");
        // A bounded Kafka source restored from a savepoint reads to its stop offsets but does not
        // finish, so the job is cancelled once both runs' last snapshots are committed.
        awaitCommittedSnapshots(bootstrap, rescaled);
        secondJob.cancel().get(60, TimeUnit.SECONDS);

        Map<String, List<Long>> steps =
                PipelineFixture.readCommitted(
                                bootstrap,
                                rescaled.metrics(),
                                unchecked(TrainingMetrics.getDecoder()::decode))
                        .stream()
                        .collect(
                                Collectors.groupingBy(
                                        m -> m.getRunId().toString(),
                                        Collectors.mapping(
                                                TrainingMetrics::getStep, Collectors.toList())));
        List<Long> everyStep = LongStream.rangeClosed(1, STEPS).boxed().toList();
        for (String run : RUNS) {
            assertEquals(everyStep, steps.get(run), "committed metrics steps of " + run);
        }
        Map<String, ModelSnapshot> expected = snapshots(bootstrap, uninterrupted);
        Map<String, ModelSnapshot> actual = snapshots(bootstrap, rescaled);
        for (String run : RUNS) {
            assertEquals(STEPS, actual.get(run).getStep());
            assertEquals(
                    expected.get(run).getParameterHash(),
                    actual.get(run).getParameterHash(),
                    "parameters of " + run);
        }
    }

    private static void produceHalf(String bootstrap, TopicNames topics, long firstStep) {
        long seed = 31;
        for (String run : RUNS) {
            PipelineFixture.produceSteps(bootstrap, topics, run, seed++, firstStep, HALF);
        }
    }

    private Configuration checkpointing(String name) {
        return new Checkpointing(
                        Duration.ofMillis(200),
                        temporary.resolve("checkpoints-" + name),
                        0,
                        Duration.ofMillis(100))
                .applyTo(new Configuration());
    }

    /** Waits until both runs' metrics of {@code step} are on the topic, committed or not. */
    private static void awaitStep(String bootstrap, TopicNames topics, long step)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            long reached =
                    PipelineFixture.readAll(
                                    bootstrap,
                                    topics.metrics(),
                                    unchecked(TrainingMetrics.getDecoder()::decode))
                            .stream()
                            .filter(m -> m.getStep() == step)
                            .map(m -> m.getRunId().toString())
                            .distinct()
                            .count();
            if (reached == RUNS.size()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("The first job did not reach step " + step + " within 120 s");
    }

    private static void awaitCommittedSnapshots(String bootstrap, TopicNames topics)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            long committed =
                    PipelineFixture.readCommittedSnapshots(bootstrap, topics.snapshots()).size();
            if (committed >= RUNS.size()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("The restored job did not commit both snapshots within 120 s");
    }

    private static Map<String, ModelSnapshot> snapshots(String bootstrap, TopicNames topics) {
        List<ModelSnapshot> snapshots =
                PipelineFixture.readCommittedSnapshots(bootstrap, topics.snapshots());
        assertEquals(RUNS.size(), snapshots.size(), "committed snapshots on " + topics.snapshots());
        Map<String, ModelSnapshot> byRun =
                snapshots.stream().collect(Collectors.toMap(s -> s.getRunId().toString(), s -> s));
        assertTrue(byRun.keySet().containsAll(RUNS), byRun.keySet().toString());
        return byRun;
    }
}
