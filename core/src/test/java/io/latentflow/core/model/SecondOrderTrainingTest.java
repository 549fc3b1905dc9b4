package io.latentflow.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.optim.CurvatureMethod;
import io.latentflow.core.optim.HessianFreeStep;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@link AdversarialModel}'s Hessian-free training mode: each step a Hessian-free step per player,
 * deterministic, with its state saved and restored bit for bit, and Adam models written as before.
 */
class SecondOrderTrainingTest {
    private static final int BATCH = 6;

    static Stream<Arguments> modelsAndMethods() {
        List<Arguments> cases = new ArrayList<>();
        for (ModelKind kind : ModelKind.values()) {
            for (CurvatureMethod method : CurvatureMethod.values()) {
                for (GeneratorCost cost : GeneratorCost.values()) {
                    cases.add(Arguments.of(kind, method, cost));
                }
            }
        }
        return cases.stream();
    }

    private static AdversarialModel model(
            ModelKind kind, CurvatureMethod method, GeneratorCost cost) {
        AdversarialModel model =
                AdversarialModel.initialize(AliGradientTest.small(kind, cost), 31, DataType.DOUBLE);
        model.useSecondOrder(SecondOrderTraining.of(method, 1, 8, 4));
        return model;
    }

    private static List<AdversarialBatch> batches(AdversarialModel model, int count) {
        SplittableRandom random = new SplittableRandom(32);
        AdversarialConfig config = model.config();
        List<AdversarialBatch> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            batches.add(
                    new AdversarialBatch(
                            AliGradientTest.matrix(random, BATCH, config.dataDim(), false),
                            AliGradientTest.matrix(random, BATCH, config.latentDim(), true),
                            AliGradientTest.matrix(random, BATCH, config.latentDim(), true),
                            AliGradientTest.matrix(
                                            random, 2 * BATCH, model.discriminatorInputs(), true)
                                    .muli(0.1)));
        }
        return batches;
    }

    private static void assertFiniteAndDescending(String what, HessianFreeStep step) {
        assertTrue(Double.isFinite(step.damping()) && step.damping() > 0, what + " damping");
        assertTrue(step.curvatureProducts() > 0, what + " products");
        assertTrue(Double.isFinite(step.predictedReduction()), what + " predicted");
        assertTrue(Double.isFinite(step.actualReduction()), what + " actual");
        assertTrue(step.lossAfter() <= step.lossBefore(), what + ": " + step);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("modelsAndMethods")
    void eachStepIsOneHessianFreeStepPerPlayerAndRepeatsBitForBit(
            ModelKind kind, CurvatureMethod method, GeneratorCost cost) {
        AdversarialModel first = model(kind, method, cost);
        AdversarialModel second = model(kind, method, cost);
        List<AdversarialBatch> batches = batches(first, 3);
        String initial = first.parameterHash();
        for (AdversarialBatch batch : batches) {
            String before = first.parameterHash();
            AdversarialStepResult result = first.trainStep(batch);
            second.trainStep(batch);
            assertTrue(result.applied());
            assertEquals(first.parameterHash(), second.parameterHash());
            assertNotEquals(before, first.parameterHash());
            HessianFreeSteps steps = first.lastHessianFreeSteps();
            assertEquals(method, steps.discriminator().method());
            assertFiniteAndDescending(kind + " discriminator", steps.discriminator());
            assertFiniteAndDescending(kind + " generator", steps.generator());
            if (method == CurvatureMethod.SADDLE_FREE) {
                assertTrue(Double.isFinite(steps.generator().mostNegativeCurvature()));
            }
        }
        assertEquals(3, first.step());
        assertNotEquals(initial, first.parameterHash());
    }

    @Test
    void theDiscriminatorsStepLowersItsLossOnTheBatchWithTheGeneratorFixed() {
        AdversarialModel model =
                model(ModelKind.GAN, CurvatureMethod.SADDLE_FREE, GeneratorCost.NON_SATURATING);
        AdversarialBatch batch = batches(model, 1).get(0);
        double before =
                new AdversarialCurvature(model, batch, AdversarialPlayer.DISCRIMINATOR).loss();
        String generatorBefore = model.network(AdversarialModel.GENERATOR).parameterHash();
        AdversarialPlayerObjective objective =
                new AdversarialPlayerObjective(
                        model, AdversarialPlayer.DISCRIMINATOR, batch, batch.firstRows(4));
        HessianFreeStep step =
                model.hessianFreeOptimizer(AdversarialPlayer.DISCRIMINATOR).step(objective);
        objective.copyToNetworks();
        double after =
                new AdversarialCurvature(model, batch, AdversarialPlayer.DISCRIMINATOR).loss();
        assertEquals(before, step.lossBefore(), 1e-12);
        assertEquals(after, step.lossAfter(), 1e-12);
        assertTrue(after < before, before + " -> " + after);
        assertEquals(generatorBefore, model.network(AdversarialModel.GENERATOR).parameterHash());
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("modelsAndMethods")
    void aRestoredModelContinuesExactlyAsTheOriginal(
            ModelKind kind, CurvatureMethod method, GeneratorCost cost) throws IOException {
        AdversarialModel original = model(kind, method, cost);
        List<AdversarialBatch> batches = batches(original, 3);
        original.trainStep(batches.get(0));
        original.trainStep(batches.get(1));
        byte[] state = state(original);
        assertEquals(2, versionOf(state));
        AdversarialModel restored = read(state);

        assertEquals(original.secondOrderTraining(), restored.secondOrderTraining());
        for (AdversarialPlayer player : AdversarialPlayer.values()) {
            assertEquals(
                    original.hessianFreeOptimizer(player).damping(),
                    restored.hessianFreeOptimizer(player).damping());
            assertEquals(2, restored.hessianFreeOptimizer(player).iteration());
        }
        assertNull(restored.lastHessianFreeSteps());
        original.trainStep(batches.get(2));
        restored.trainStep(batches.get(2));
        assertEquals(original.parameterHash(), restored.parameterHash());
        assertEquals(3, restored.step());
    }

    @Test
    void anAdamModelIsStillWrittenAsVersionOneAndReadBack() throws IOException {
        AdversarialModel adam =
                AdversarialModel.initialize(
                        AliGradientTest.small(ModelKind.ALI, GeneratorCost.MINIMAX),
                        33,
                        DataType.DOUBLE);
        adam.trainStep(batches(adam, 1).get(0));
        byte[] state = state(adam);
        assertEquals(1, versionOf(state));
        AdversarialModel restored = read(state);
        assertEquals(Optional.empty(), restored.secondOrderTraining());
        assertEquals(adam.parameterHash(), restored.parameterHash());
        assertNull(restored.lastHessianFreeSteps());
    }

    @Test
    void theCurvatureBatchIsTheFirstRowsOfEveryArray() {
        AdversarialModel model =
                model(ModelKind.ALI, CurvatureMethod.SADDLE_FREE, GeneratorCost.MINIMAX);
        AdversarialBatch batch = batches(model, 1).get(0);
        AdversarialBatch head = batch.firstRows(2);
        assertEquals(batch.data().getRow(1), head.data().getRow(1));
        assertEquals(batch.encoderNoise().getRow(0), head.encoderNoise().getRow(0));
        assertEquals(batch.instanceNoise().getRow(1), head.instanceNoise().getRow(1));
        assertEquals(batch.instanceNoise().getRow(BATCH + 1), head.instanceNoise().getRow(3));
        assertEquals(4, head.instanceNoise().rows());
        assertEquals(4, SecondOrderTraining.of(CurvatureMethod.NEWTON, 1, 5, 4).curvatureRowsOf(6));
        assertEquals(6, SecondOrderTraining.of(CurvatureMethod.NEWTON, 1, 5, 0).curvatureRowsOf(6));
        assertEquals(
                Optional.of(SecondOrderTraining.of(CurvatureMethod.GAUSS_NEWTON, 0.5, 7, 3)),
                SecondOrderTraining.fromDescription(
                        SecondOrderTraining.of(CurvatureMethod.GAUSS_NEWTON, 0.5, 7, 3)
                                .describe()));
        assertEquals(Optional.empty(), SecondOrderTraining.fromDescription(Map.of()));
    }

    private static byte[] state(AdversarialModel model) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            model.writeState(out);
        }
        return bytes.toByteArray();
    }

    private static int versionOf(byte[] state) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(state));
        in.readInt();
        return in.readInt();
    }

    private static AdversarialModel read(byte[] state) throws IOException {
        return AdversarialModel.readState(new DataInputStream(new ByteArrayInputStream(state)));
    }
}
