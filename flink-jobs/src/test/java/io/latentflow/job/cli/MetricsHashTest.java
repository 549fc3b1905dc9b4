package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.latentflow.schema.TrainingMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsHashTest {

    @Test
    void theRunIdThroughputOrderAndRepeatsLeaveTheHashAsItIs() {
        List<TrainingMetrics> recorded = List.of(record("r1", 1, 0.5), record("r1", 10, 0.4));
        List<TrainingMetrics> replayed =
                List.of(
                        withThroughput(record("replay", 10, 0.4), 1234),
                        record("replay", 1, 0.5),
                        record("replay", 10, 0.4));

        assertEquals(MetricsHash.of(recorded), MetricsHash.of(replayed));
    }

    @Test
    void oneBitOfOneLossChangesTheHash() {
        double loss = 0.4;
        List<TrainingMetrics> recorded = List.of(record("r1", 1, 0.5), record("r1", 10, loss));
        List<TrainingMetrics> changed =
                List.of(record("r1", 1, 0.5), record("r1", 10, Math.nextUp(loss)));

        assertNotEquals(MetricsHash.of(recorded), MetricsHash.of(changed));
        assertEquals(64, MetricsHash.of(recorded).length());
    }

    private static TrainingMetrics withThroughput(TrainingMetrics metrics, double samples) {
        return TrainingMetrics.newBuilder(metrics).setSamplesPerSecond(samples).build();
    }

    private static TrainingMetrics record(String runId, long step, double generatorLoss) {
        return TrainingMetrics.newBuilder()
                .setRunId(runId)
                .setModel("ali-mlp")
                .setSeed(1)
                .setStep(step)
                .setBatchSize(20)
                .setApplied(true)
                .setDiscriminatorLoss(1.3)
                .setGeneratorLoss(generatorLoss)
                .setMeanRealScore(0.6)
                .setMeanFakeScore(0.4)
                .setDiscriminatorAccuracy(0.75)
                .setDiscriminatorGradNorm(2)
                .setGeneratorGradNorm(0.5)
                .setEncoderGradNorm(0.3)
                .setReconstructionError(0.05)
                .setSamplesPerSecond(900)
                .setDataOffset(step * 20 - 1)
                .setLatentOffset(step * 20 - 1)
                .setDeadLetters(0)
                .setSkippedSteps(0)
                .build();
    }
}
