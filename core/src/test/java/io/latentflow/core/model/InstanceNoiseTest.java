package io.latentflow.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class InstanceNoiseTest {
    private static final AdversarialConfig SMALL =
            new AdversarialConfig(
                    ModelKind.ALI, 12, 4, 16, 2, 0.2, 1e-3, 0.5, 0.999, GeneratorCost.MINIMAX);
    private static final int BATCH = 8;

    private static List<String> trainThreeSteps(AdversarialConfig config, InstanceNoise noise) {
        AdversarialModel model = AdversarialModel.initialize(config, 4, DataType.FLOAT);
        SplittableRandom random = new SplittableRandom(5);
        List<String> trace = new ArrayList<>();
        for (long step = 0; step < 3; step++) {
            long[] seeds = {random.nextLong(), random.nextLong(), random.nextLong()};
            AdversarialBatch batch =
                    AdversarialBatch.of(
                            Nd4j.rand(DataType.FLOAT, BATCH, config.dataDim()),
                            Nd4j.randn(DataType.FLOAT, BATCH, config.latentDim()),
                            Nd4j.randn(DataType.FLOAT, BATCH, config.latentDim()));
            long[] exampleSeeds = new long[BATCH];
            for (int i = 0; i < BATCH; i++) {
                exampleSeeds[i] = seeds[i % 3] + i;
            }
            INDArray instanceNoise =
                    noise == null
                            ? null
                            : noise.sample(
                                    exampleSeeds,
                                    step,
                                    config.dataDim(),
                                    model.discriminatorInputs() - config.dataDim(),
                                    DataType.FLOAT);
            trace.add(model.trainStep(batch.withInstanceNoise(instanceNoise)).toString());
        }
        trace.add(model.parameterHash());
        return trace;
    }

    @Test
    void sigmaZeroTrainsBitIdenticallyToNoNoiseForBothModels() {
        for (ModelKind kind : ModelKind.values()) {
            AdversarialConfig config = SMALL.withModel(kind);
            Nd4j.getRandom().setSeed(6);
            List<String> without = trainThreeSteps(config, null);
            Nd4j.getRandom().setSeed(6);
            List<String> zero =
                    trainThreeSteps(config, new InstanceNoise(0, NoiseSchedule.CONSTANT, 0, true));
            Nd4j.getRandom().setSeed(6);
            List<String> noisy =
                    trainThreeSteps(
                            config, new InstanceNoise(0.3, NoiseSchedule.CONSTANT, 0, true));

            assertEquals(without, zero, kind.toString());
            assertNotEquals(without.get(3), noisy.get(3), kind.toString());
        }
    }

    @Test
    void annealingSchedulesStartAtSigmaAndReachZeroExactlyAtTheStatedStep() {
        InstanceNoise constant = new InstanceNoise(0.5, NoiseSchedule.CONSTANT, 0, false);
        InstanceNoise linear = new InstanceNoise(0.5, NoiseSchedule.LINEAR, 1000, false);
        InstanceNoise exponential = new InstanceNoise(0.5, NoiseSchedule.EXPONENTIAL, 1000, false);

        assertEquals(0.5, constant.sigmaAt(0));
        assertEquals(0.5, constant.sigmaAt(1_000_000));

        assertEquals(0.5, linear.sigmaAt(0));
        assertEquals(0.25, linear.sigmaAt(500), 1e-15);
        assertEquals(0.5 / 1000, linear.sigmaAt(999), 1e-15);
        assertEquals(0.0, linear.sigmaAt(1000));
        assertEquals(0.0, linear.sigmaAt(5000));

        assertEquals(0.5, exponential.sigmaAt(0), 1e-15);
        double floor = Math.exp(-5);
        assertEquals(0.5 * (Math.exp(-2.5) - floor) / (1 - floor), exponential.sigmaAt(500), 1e-15);
        assertTrue(exponential.sigmaAt(999) > 0);
        assertEquals(0.0, exponential.sigmaAt(1000));
        for (long step = 1; step <= 1000; step++) {
            assertTrue(exponential.sigmaAt(step) < exponential.sigmaAt(step - 1));
        }
        assertNull(linear.sample(new long[] {1, 2}, 1000, 3, 0, DataType.FLOAT));
    }

    @Test
    void drawsDependOnTheExampleSeedAloneAndHaveTheScheduledSpread() {
        InstanceNoise noise = new InstanceNoise(0.2, NoiseSchedule.CONSTANT, 0, false);
        INDArray pair = noise.sample(new long[] {11, 12}, 0, 300, 5, DataType.DOUBLE);
        INDArray single = noise.sample(new long[] {12}, 7, 300, 5, DataType.DOUBLE);

        assertEquals(single.getRow(0), pair.getRow(1));
        assertEquals(single.getRow(1), pair.getRow(3));
        assertNotEquals(pair.getRow(0), pair.getRow(1));

        INDArray dataPart = pair.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 300));
        INDArray codePart = pair.get(NDArrayIndex.all(), NDArrayIndex.interval(300, 305));
        assertEquals(0.0, codePart.norm2Number().doubleValue());
        // 1,200 draws: the sample deviation is within 10 % of sigma with overwhelming probability.
        assertEquals(0.2, dataPart.stdNumber().doubleValue(), 0.02);

        InstanceNoise onCode = new InstanceNoise(0.2, NoiseSchedule.CONSTANT, 0, true);
        INDArray withCode = onCode.sample(new long[] {11}, 0, 300, 5, DataType.DOUBLE);
        assertTrue(
                withCode.get(NDArrayIndex.all(), NDArrayIndex.interval(300, 305))
                                .norm2Number()
                                .doubleValue()
                        > 0);
    }

    @Test
    void describeRoundTripsAndInvalidSettingsAreRejected() {
        InstanceNoise noise = new InstanceNoise(0.1, NoiseSchedule.EXPONENTIAL, 3000, true);
        assertEquals(noise, InstanceNoise.fromDescription(noise.describe()));
        assertEquals(InstanceNoise.NONE, InstanceNoise.fromDescription(java.util.Map.of()));

        assertThrows(
                IllegalArgumentException.class,
                () -> new InstanceNoise(-0.1, NoiseSchedule.CONSTANT, 0, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> new InstanceNoise(0.1, NoiseSchedule.LINEAR, 0, false));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.parse("cosine"));
    }
}
