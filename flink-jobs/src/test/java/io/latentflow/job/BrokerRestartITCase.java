package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.TrainerSettings;
import io.latentflow.schema.TrainingMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker goes away in the middle of a run and comes back: the job, checkpointing and writing
 * exactly once, must train on every record once and end with the parameters of a run the broker
 * never left.
 */
class BrokerRestartITCase {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerRestartITCase.class);

    private static final long STEPS = 60;
    private static final long HALF = STEPS / 2;

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
    void aBrokerRestartInTheMiddleOfARunLosesAndRepeatsNoSample() throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames steady = TopicNames.withPrefix("steady");
        TopicNames restarted = TopicNames.withPrefix("restarted");
        TopicAdministration.ensureTopics(bootstrap, steady);
        TopicAdministration.ensureTopics(bootstrap, restarted);
        TrainerSettings trainer = PipelineFixture.trainer(STEPS, 1);
        PipelineFixture.produceRun(bootstrap, steady, "run-k", 13, STEPS);
        PipelineFixture.runJob(bootstrap, steady, "run-k", trainer, null, null);

        // The stop offsets lie beyond the first half, so the job waits there for the rest.
        PipelineFixture.produceSteps(bootstrap, restarted, "run-k", 13, 0, HALF);
        long records = STEPS * PipelineFixture.BATCH_SIZE;
        TopicPartition data = new TopicPartition(restarted.data(), 0);
        TopicPartition latent = new TopicPartition(restarted.latent(), 0);
        Configuration config =
                new Checkpointing(
                                Duration.ofMillis(200),
                                temporary.resolve("checkpoints"),
                                10,
                                Duration.ofSeconds(2))
                        .applyTo(new Configuration());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, config);
        AdversarialTrainingJob.build(
                env,
                new JobSettings(
                        bootstrap,
                        restarted,
                        "run-k",
                        trainer,
                        Map.of(data, 0L),
                        Map.of(data, records),
                        Map.of(latent, 0L),
                        Map.of(latent, records),
                        null));
        JobClient job = env.executeAsync("broker-restart-test");
        awaitStep(bootstrap, restarted, HALF);

        broker.stop();
        broker.restart();
        PipelineFixture.produceSteps(bootstrap, restarted, "run-k", 13, HALF, HALF);
        try {
            job.getJobExecutionResult().get(300, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            job.cancel().get(60, TimeUnit.SECONDS);
            throw new AssertionError("The job did not finish within 300 s of the restart", e);
        }

        List<TrainingMetrics> metrics =
                PipelineFixture.readCommitted(
                        bootstrap,
                        restarted.metrics(),
                        unchecked(TrainingMetrics.getDecoder()::decode));
        assertEquals(
                LongStream.rangeClosed(1, STEPS).boxed().toList(),
                metrics.stream().map(TrainingMetrics::getStep).toList(),
                "committed metrics records, one per step");
        for (TrainingMetrics m : metrics) {
            long lastOffset = m.getStep() * PipelineFixture.BATCH_SIZE - 1;
            assertEquals(lastOffset, m.getDataOffset(), "data offset of step " + m.getStep());
            assertEquals(lastOffset, m.getLatentOffset(), "latent offset of step " + m.getStep());
            assertEquals(0, m.getDuplicates(), "records seen twice by step " + m.getStep());
        }
        String expected =
                PipelineFixture.readSnapshots(bootstrap, steady.snapshots())
                        .get(0)
                        .getParameterHash();
        List<io.latentflow.schema.ModelSnapshot> snapshots =
                PipelineFixture.readCommittedSnapshots(bootstrap, restarted.snapshots());
        assertEquals(1, snapshots.size(), "committed snapshots");
        assertEquals(expected, snapshots.get(0).getParameterHash());
        LOG.info("Run run-k trained through a broker restart to parameter hash {}", expected);
    }

    /** Waits until the run's metrics of {@code step} are on the topic, committed or not. */
    private static void awaitStep(String bootstrap, TopicNames topics, long step)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            boolean reached =
                    PipelineFixture.readAll(
                                    bootstrap,
                                    topics.metrics(),
                                    unchecked(TrainingMetrics.getDecoder()::decode))
                            .stream()
                            .anyMatch(m -> m.getStep() == step);
            if (reached) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("The job did not reach step " + step + " within 120 s");
    }
}
