package io.latentflow.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GanTest {
    private static final AdversarialConfig SMALL =
            new AdversarialConfig(
                    ModelKind.GAN,
                    12,
                    4,
                    16,
                    2,
                    0.2,
                    1e-3,
                    0.5,
                    0.999,
                    GeneratorCost.NON_SATURATING);

    private static AdversarialBatch batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return AdversarialBatch.of(
                Nd4j.rand(DataType.FLOAT, 8, 12), Nd4j.randn(DataType.FLOAT, 8, 4), null);
    }

    @Test
    void aGanHasAGeneratorAndADiscriminatorOnDataAlone() {
        AdversarialModel model = AdversarialModel.initialize(SMALL, 1, DataType.FLOAT);
        assertTrue(model instanceof Gan);
        assertEquals(List.of("generator", "discriminator"), model.networkNames());
        assertEquals(12, model.discriminatorInputs());
        assertEquals(
                12 * 16 + 16 + 16 * 16 + 16 + 16 + 1,
                model.parameters().get("discriminator").length());

        AdversarialStepResult result = model.trainStep(batch(2));
        assertTrue(result.applied());
        assertEquals(0.0, result.encoderGradNorm());
        assertEquals(result.generatorGradNorm(), result.generatorSideGradNorm());
        assertEquals(
                result.discriminatorAccuracy(),
                (result.realAccuracy() + result.fakeAccuracy()) / 2,
                1e-12);
    }

    @Test
    void trainingTheDiscriminatorAloneLeavesTheGeneratorAndTheStepUnchanged() {
        AdversarialModel model = AdversarialModel.initialize(SMALL, 3, DataType.FLOAT);
        INDArray generator = model.parameters().get("generator");
        INDArray discriminator = model.parameters().get("discriminator");

        assertTrue(model.trainDiscriminator(batch(4)).applied());

        assertEquals(generator, model.parameters().get("generator"));
        assertNotEquals(discriminator, model.parameters().get("discriminator"));
        assertEquals(0, model.step());

        model.reinitializeDiscriminator(5);
        AdversarialModel other = AdversarialModel.initialize(SMALL, 3, DataType.FLOAT);
        other.reinitializeDiscriminator(5);
        assertEquals(
                other.parameters().get("discriminator"), model.parameters().get("discriminator"));
    }

    @Test
    void evaluatingUnderEachCostChangesNothingAndTheCostsDiffer() {
        AdversarialModel model = AdversarialModel.initialize(SMALL, 6, DataType.DOUBLE);
        String hash = model.parameterHash();
        AdversarialBatch batch = batch(7);

        AdversarialStepResult minimax = model.evaluate(batch, GeneratorCost.MINIMAX);
        AdversarialStepResult nonSaturating = model.evaluate(batch, GeneratorCost.NON_SATURATING);

        assertEquals(hash, model.parameterHash());
        assertEquals(minimax.discriminatorLoss(), nonSaturating.discriminatorLoss());
        assertTrue(minimax.generatorLoss() < 0 && nonSaturating.generatorLoss() > 0);
        assertNotEquals(minimax.generatorGradNorm(), nonSaturating.generatorGradNorm());
    }

    @Test
    void stateRoundTripKeepsTheKindAndContinuesIdentically() throws IOException {
        AdversarialModel original = AdversarialModel.initialize(SMALL, 8, DataType.FLOAT);
        original.trainStep(batch(9));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        original.writeState(new DataOutputStream(bytes));
        AdversarialModel restored =
                AdversarialModel.readState(
                        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertTrue(restored instanceof Gan);
        assertEquals(original.config(), restored.config());
        AdversarialBatch next = batch(10);
        assertEquals(original.trainStep(next), restored.trainStep(next));
        assertEquals(original.parameterHash(), restored.parameterHash());
    }
}
