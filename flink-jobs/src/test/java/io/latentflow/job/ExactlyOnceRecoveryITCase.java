package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.TrainerSettings;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once training through failures: a job with checkpoints is failed five times at seeded
 * random steps, restores each time from its latest checkpoint, and must end with the parameters of
 * a run that never failed, having trained on every data record once.
 */
class ExactlyOnceRecoveryITCase {
    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceRecoveryITCase.class);

    private static final long STEPS = 300;
    private static final int FAILURES = 5;
    private static final long FAILURE_SEED = 20261204L;

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
    void fiveFailuresAtRandomStepsLeaveTheParametersOfAnUninterruptedRunAndUseEveryRecordOnce()
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames uninterrupted = TopicNames.withPrefix("uninterrupted");
        TopicNames recovered = TopicNames.withPrefix("recovered");
        TopicAdministration.ensureTopics(bootstrap, uninterrupted);
        TopicAdministration.ensureTopics(bootstrap, recovered);
        PipelineFixture.produceRun(bootstrap, uninterrupted, "run-r", 5, STEPS);
        PipelineFixture.produceRun(bootstrap, recovered, "run-r", 5, STEPS);
        TrainerSettings trainer = PipelineFixture.trainer(STEPS, 1);

        PipelineFixture.runJob(bootstrap, uninterrupted, "run-r", trainer, null, null);

        TreeSet<Long> failurePoints = failurePoints(new Random(FAILURE_SEED));
        FailureInjector.reset(failurePoints);
        Configuration config =
                new Checkpointing(
                                Duration.ofMillis(100),
                                temporary.resolve("checkpoints"),
                                2 * FAILURES,
                                Duration.ofMillis(100))
                        .applyTo(new Configuration());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, config);
        AdversarialTrainingJob.build(
                        env,
                        PipelineFixture.settings(
                                bootstrap, recovered, "run-r", trainer, null, null))
                .process(new FailureInjector())
                .name("FailureInjector")
                .sinkTo(new DiscardingSink<>());
        env.execute("exactly-once-recovery-test");
        LOG.info(
                "Failures armed at steps {}, thrown while training steps {}, resumed at steps {}",
                failurePoints,
                FailureInjector.STEPS_AT_FAILURE,
                FailureInjector.FIRST_STEPS_AFTER_RESTORE);

        assertEquals(failurePoints, FailureInjector.FAILED, "failures injected");
        assertEquals(FAILURES, FailureInjector.RESTORES.get(), "restores from a checkpoint");
        List<TrainingMetrics> metrics =
                PipelineFixture.readCommitted(
                        bootstrap,
                        recovered.metrics(),
                        unchecked(TrainingMetrics.getDecoder()::decode));
        assertEquals(
                LongStream.rangeClosed(1, STEPS).boxed().toList(),
                metrics.stream().map(TrainingMetrics::getStep).toList(),
                "committed metrics records, one per step");
        for (TrainingMetrics m : metrics) {
            // Batch k pairs the data and latent records of sequences (k-1)B to kB-1, which the
            // one-partition topics hold at the same offsets.
            long lastOffset = m.getStep() * PipelineFixture.BATCH_SIZE - 1;
            assertEquals(lastOffset, m.getDataOffset(), "data offset of step " + m.getStep());
            assertEquals(lastOffset, m.getLatentOffset(), "latent offset of step " + m.getStep());
            assertEquals(0, m.getDuplicates(), "records seen twice by step " + m.getStep());
            assertEquals(0, m.getDeadLetters());
        }

        ModelSnapshot expected = onlySnapshot(bootstrap, uninterrupted);
        ModelSnapshot actual = onlySnapshot(bootstrap, recovered);
        assertEquals(STEPS, actual.getStep());
        assertEquals(expected.getParameterHash(), actual.getParameterHash());
        assertEquals(expected.getNetworks(), actual.getNetworks());
    }

    /** One step in each fifth of steps 10 to 100, so that failures keep coming. */
    private static TreeSet<Long> failurePoints(Random random) {
        TreeSet<Long> points = new TreeSet<>();
        long first = 10;
        long width = 90 / FAILURES;
        for (int i = 0; i < FAILURES; i++) {
            points.add(first + i * width + random.nextInt((int) width));
        }
        return points;
    }

    private static ModelSnapshot onlySnapshot(String bootstrap, TopicNames topics) {
        List<ModelSnapshot> snapshots =
                PipelineFixture.readCommittedSnapshots(bootstrap, topics.snapshots());
        assertEquals(1, snapshots.size(), "committed snapshots on " + topics.snapshots());
        return snapshots.get(0);
    }

    /**
     * Fails the job once for each failure point: when the trainer's metrics show that training has
     * passed the next point not failed at yet, it throws at the first metrics record after the next
     * completed checkpoint, so that every restore is from a checkpoint. Which points failed is kept
     * outside the job (the MiniCluster runs in this JVM), so a restored job does not fail at the
     * same point again.
     */
    private static final class FailureInjector extends ProcessFunction<TrainingMetrics, Long>
            implements CheckpointListener, CheckpointedFunction {
        static final TreeSet<Long> POINTS = new TreeSet<>();
        static final ConcurrentSkipListSet<Long> FAILED = new ConcurrentSkipListSet<>();
        static final List<Long> STEPS_AT_FAILURE =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        static final List<Long> FIRST_STEPS_AFTER_RESTORE =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        static final AtomicInteger RESTORES = new AtomicInteger();

        /** Paces training so that checkpoints complete while failure points lie ahead. */
        private static final long PACE_MILLIS = 2;

        private transient Long armed;
        private transient boolean checkpointedSinceArmed;
        private transient boolean restored;

        static void reset(TreeSet<Long> points) {
            POINTS.clear();
            POINTS.addAll(points);
            FAILED.clear();
            STEPS_AT_FAILURE.clear();
            FIRST_STEPS_AFTER_RESTORE.clear();
            RESTORES.set(0);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
            restored = context.isRestored();
            if (restored) {
                RESTORES.incrementAndGet();
            }
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}

        @Override
        public void processElement(TrainingMetrics metrics, Context ctx, Collector<Long> out)
                throws InterruptedException {
            long step = metrics.getStep();
            if (restored) {
                FIRST_STEPS_AFTER_RESTORE.add(step);
                restored = false;
            }
            if (armed != null && checkpointedSinceArmed) {
                FAILED.add(armed);
                STEPS_AT_FAILURE.add(step);
                throw new IllegalStateException(
                        "Injected failure for point " + armed + " at step " + step);
            }
            Long next = nextPoint();
            if (armed == null && next != null && step >= next) {
                armed = next;
                checkpointedSinceArmed = false;
            }
            Thread.sleep(PACE_MILLIS);
        }

        private static Long nextPoint() {
            return POINTS.stream()
                    .filter(point -> !FAILED.contains(point))
                    .findFirst()
                    .orElse(null);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (armed != null) {
                checkpointedSinceArmed = true;
            }
        }
    }
}
