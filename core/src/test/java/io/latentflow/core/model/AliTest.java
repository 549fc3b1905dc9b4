package io.latentflow.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class AliTest {
    private static final AdversarialConfig SMALL =
            new AdversarialConfig(
                    ModelKind.ALI,
                    12,
                    4,
                    16,
                    2,
                    0.2,
                    1e-3,
                    0.5,
                    0.999,
                    GeneratorCost.NON_SATURATING);
    private static final int BATCH = 8;

    /** One training batch: data, prior codes and encoder noise. */
    private record Batch(INDArray x, INDArray prior, INDArray noise) {
        AdversarialBatch adversarial() {
            return AdversarialBatch.of(x, prior, noise);
        }
    }

    private static Ali ali(AdversarialConfig config, long seed, DataType dataType) {
        return (Ali) AdversarialModel.initialize(config, seed, dataType);
    }

    private static List<Batch> batches(long seed, int count, DataType dataType) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batches.add(
                    new Batch(
                            matrix(random, SMALL.dataDim(), false, dataType),
                            matrix(random, SMALL.latentDim(), true, dataType),
                            matrix(random, SMALL.latentDim(), true, dataType)));
        }
        return batches;
    }

    private static INDArray matrix(
            SplittableRandom random, int columns, boolean normal, DataType dataType) {
        double[][] values = new double[BATCH][columns];
        for (double[] row : values) {
            for (int c = 0; c < columns; c++) {
                row[c] = normal ? random.nextDouble(-2, 2) : random.nextDouble();
            }
        }
        return Nd4j.createFromArray(values).castTo(dataType);
    }

    private static List<AdversarialStepResult> train(AdversarialModel model, List<Batch> batches) {
        List<AdversarialStepResult> results = new ArrayList<>();
        for (Batch batch : batches) {
            results.add(model.trainStep(batch.adversarial()));
        }
        return results;
    }

    @Test
    void sameSeedAndBatchesGiveIdenticalParameterHashes() {
        Ali first = ali(SMALL, 7, DataType.FLOAT);
        Ali second = ali(SMALL, 7, DataType.FLOAT);
        assertEquals(first.parameterHash(), second.parameterHash());

        String initial = first.parameterHash();
        List<AdversarialStepResult> firstResults = train(first, batches(1, 3, DataType.FLOAT));
        List<AdversarialStepResult> secondResults = train(second, batches(1, 3, DataType.FLOAT));

        assertEquals(first.parameterHash(), second.parameterHash());
        assertNotEquals(initial, first.parameterHash());
        assertEquals(firstResults, secondResults);
        assertEquals(3, first.step());
    }

    @Test
    void differentSeedsGiveDifferentParameterHashes() {
        Ali first = ali(SMALL, 7, DataType.FLOAT);
        Ali second = ali(SMALL, 8, DataType.FLOAT);
        assertNotEquals(first.parameterHash(), second.parameterHash());
    }

    @Test
    void everyStepOnFiniteDataIsAppliedAndReportsConsistentMeasures() {
        Ali model = ali(SMALL, 3, DataType.FLOAT);
        for (AdversarialStepResult result : train(model, batches(2, 3, DataType.FLOAT))) {
            assertTrue(result.applied());
            assertTrue(result.discriminatorLoss() > 0 && result.generatorLoss() > 0);
            assertTrue(result.meanRealScore() > 0 && result.meanRealScore() < 1);
            assertTrue(result.meanFakeScore() > 0 && result.meanFakeScore() < 1);
            assertTrue(result.discriminatorAccuracy() >= 0 && result.discriminatorAccuracy() <= 1);
            assertTrue(result.discriminatorGradNorm() > 0);
            assertTrue(result.generatorGradNorm() > 0 && result.encoderGradNorm() > 0);
        }
    }

    @Test
    void stateRoundTripContinuesTrainingIdentically() throws IOException {
        for (DataType dataType : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Ali original = ali(SMALL, 5, dataType);
            train(original, batches(3, 2, dataType));

            AdversarialModel restored = roundTrip(original);
            assertEquals(original.step(), restored.step());
            assertEquals(original.config(), restored.config());
            assertEquals(dataType, restored.dataType());
            assertEquals(original.parameterHash(), restored.parameterHash());

            List<Batch> more = batches(4, 3, dataType);
            assertEquals(train(original, more), train(restored, more));
            assertEquals(original.parameterHash(), restored.parameterHash());
            assertEquals(original.parameters(), restored.parameters());
        }
    }

    private static AdversarialModel roundTrip(AdversarialModel model) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        model.writeState(new DataOutputStream(bytes));
        return AdversarialModel.readState(
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void readStateRejectsBytesThatAreNotAModelState() {
        byte[] garbage = {1, 2, 3, 4, 5, 6, 7, 8};
        assertThrows(
                IOException.class,
                () ->
                        AdversarialModel.readState(
                                new DataInputStream(new ByteArrayInputStream(garbage))));
    }

    @Test
    void nanInTheDataSkipsTheUpdateAndLeavesTheModelUnchanged() throws IOException {
        Ali model = ali(SMALL, 9, DataType.FLOAT);
        List<Batch> warmUp = batches(5, 1, DataType.FLOAT);
        train(model, warmUp);
        AdversarialModel reference = roundTrip(model);
        String hashBefore = model.parameterHash();

        Batch poisoned = batches(6, 1, DataType.FLOAT).get(0);
        poisoned.x().putScalar(3, 5, Float.NaN);
        AdversarialStepResult result = model.trainStep(poisoned.adversarial());

        assertFalse(result.applied());
        assertTrue(Double.isNaN(result.discriminatorLoss()));
        assertEquals(1, model.step());
        assertEquals(hashBefore, model.parameterHash());

        // The optimizer state is untouched too: further training matches a model that never saw
        // the poisoned batch.
        List<Batch> more = batches(7, 2, DataType.FLOAT);
        assertEquals(train(reference, more), train(model, more));
        assertEquals(reference.parameterHash(), model.parameterHash());
    }

    @Test
    void parametersAreCopiesInGeneratorEncoderDiscriminatorOrderWithPyTorchSizes() {
        Ali model = ali(AdversarialConfig.mlpDefaults(), 1, DataType.FLOAT);
        Map<String, INDArray> parameters = model.parameters();

        assertEquals(
                List.of("generator", "encoder", "discriminator"), List.copyOf(parameters.keySet()));
        // nn.Linear sizes: G 64-1024-1024-784, E 784-1024-1024-128, D 848-1024-1024-1
        assertEquals(
                64 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 784 + 784,
                parameters.get("generator").length());
        assertEquals(
                784 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 128 + 128,
                parameters.get("encoder").length());
        assertEquals(
                848 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 + 1,
                parameters.get("discriminator").length());

        String hash = model.parameterHash();
        parameters.get("generator").assign(0);
        assertEquals(hash, model.parameterHash());
    }

    @Test
    void fromParametersRebuildsAModelThatGeneratesTheSameImages() {
        Ali model = ali(SMALL, 10, DataType.FLOAT);
        train(model, batches(8, 2, DataType.FLOAT));
        Map<String, float[]> snapshot = new LinkedHashMap<>();
        model.parameters().forEach((name, flat) -> snapshot.put(name, flat.toFloatVector()));

        AdversarialModel rendered = AdversarialModel.fromParameters(SMALL, snapshot);
        Batch batch = batches(9, 1, DataType.FLOAT).get(0);

        assertEquals(0, rendered.step());
        assertEquals(model.parameterHash(), rendered.parameterHash());
        assertEquals(model.generate(batch.prior()), rendered.generate(batch.prior()));
        assertThrows(
                IllegalArgumentException.class,
                () -> AdversarialModel.fromParameters(SMALL.withHiddenUnits(17), snapshot));
    }

    @Test
    void generateAndReconstructGiveImagesInTheUnitInterval() {
        Ali model = ali(SMALL, 11, DataType.DOUBLE);
        Batch batch = batches(10, 1, DataType.DOUBLE).get(0);

        INDArray generated = model.generate(batch.prior());
        INDArray reconstruction = model.reconstruct(batch.x());

        assertArrayEquals(new long[] {BATCH, SMALL.dataDim()}, generated.shape());
        assertArrayEquals(new long[] {BATCH, SMALL.dataDim()}, reconstruction.shape());
        assertTrue(generated.minNumber().doubleValue() > 0);
        assertTrue(reconstruction.maxNumber().doubleValue() < 1);
    }

    @Test
    void reconstructionErrorIsTheMeanSquaredDifferenceFromTheEncoderMean() {
        Ali model = ali(SMALL, 12, DataType.DOUBLE);
        INDArray x = batches(11, 1, DataType.DOUBLE).get(0).x();

        INDArray mean =
                model.network("encoder")
                        .infer(x)
                        .get(NDArrayIndex.all(), NDArrayIndex.interval(0, SMALL.latentDim()));
        INDArray decoded = model.generate(mean.dup());
        double expected = decoded.sub(x).muli(decoded.sub(x)).meanNumber().doubleValue();

        assertEquals(expected, model.reconstructionError(x), 1e-12);
        assertEquals(decoded, model.reconstruct(x));
    }

    @Test
    void batchesOfTheWrongShapeAreRejected() {
        Ali model = ali(SMALL, 13, DataType.FLOAT);
        Batch batch = batches(12, 1, DataType.FLOAT).get(0);
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        model.trainStep(
                                AdversarialBatch.of(batch.prior(), batch.prior(), batch.noise())));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        model.trainStep(
                                AdversarialBatch.of(
                                        batch.x(),
                                        batch.prior(),
                                        Nd4j.zeros(DataType.FLOAT, BATCH - 1, SMALL.latentDim()))));
    }
}
