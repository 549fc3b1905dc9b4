package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every parameter's gradient from backpropagation through time against float64 central finite
 * differences, at n = 8, T = 6, batch 3: relative error below 1e-6 (plus 1e-11 absolute), for both
 * recurrence designs.
 */
class UnitaryEvolutionRnnGradientTest {
    private static final int INPUTS = 3;
    private static final int HIDDEN = 8;
    private static final int OUTPUTS = 4;
    private static final int STEPS = 6;
    private static final int BATCH = 3;

    /**
     * A network moved away from its initialization, so that no gradient is zero by symmetry: a
     * modReLU bias in [-0.05, 0.3] (some units switched off) and a nonzero output bias.
     */
    static UnitaryEvolutionRnn network(RecurrenceDesign design) {
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(INPUTS, HIDDEN, OUTPUTS, 11);
        network.useDesign(design);
        UnitaryEvolutionRnnLayout layout = network.layout();
        double[] parameters = network.parameters();
        SplittableRandom random = new SplittableRandom(5);
        for (int j = 0; j < HIDDEN; j++) {
            parameters[layout.modReluBias() + j] = random.nextDouble(-0.05, 0.3);
        }
        for (int o = 0; o < OUTPUTS; o++) {
            parameters[layout.outputBias() + o] = random.nextDouble(-0.5, 0.5);
        }
        return network;
    }

    static SequenceBatch batch() {
        SplittableRandom random = new SplittableRandom(7);
        double[] inputs = new double[STEPS * BATCH * INPUTS];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = random.nextDouble(-1, 1);
        }
        return new SequenceBatch(STEPS, BATCH, INPUTS, inputs);
    }

    private static Map<String, int[]> blocks(UnitaryEvolutionRnnLayout layout) {
        Map<String, int[]> blocks = new LinkedHashMap<>();
        for (int factor = 1; factor <= 3; factor++) {
            blocks.put("phases of D" + factor, new int[] {layout.phase(factor), HIDDEN});
        }
        for (int factor = 1; factor <= 2; factor++) {
            blocks.put("Re v" + factor, new int[] {layout.reflectionReal(factor), HIDDEN});
            blocks.put("Im v" + factor, new int[] {layout.reflectionImaginary(factor), HIDDEN});
        }
        blocks.put("modReLU bias", new int[] {layout.modReluBias(), HIDDEN});
        blocks.put("Re V", new int[] {layout.inputReal(), HIDDEN * INPUTS});
        blocks.put("Im V", new int[] {layout.inputImaginary(), HIDDEN * INPUTS});
        blocks.put("U", new int[] {layout.outputWeights(), OUTPUTS * 2 * HIDDEN});
        blocks.put("c", new int[] {layout.outputBias(), OUTPUTS});
        blocks.put("h0", new int[] {layout.initialState(), 2 * HIDDEN});
        return blocks;
    }

    private static void assertEveryGradientMatches(RecurrenceDesign design, SequenceLoss loss) {
        UnitaryEvolutionRnn network = network(design);
        SequenceBatch batch = batch();
        double[] gradient = new double[network.parameters().length];
        network.lossAndGradient(batch, loss, gradient);

        double worst = 0;
        for (Map.Entry<String, int[]> block : blocks(network.layout()).entrySet()) {
            worst =
                    Math.max(
                            worst,
                            GradientCheck.assertMatches(
                                    block.getKey(),
                                    network.parameters(),
                                    gradient,
                                    block.getValue()[0],
                                    block.getValue()[1],
                                    () -> network.loss(batch, loss)));
        }
        assertTrue(worst < 1e-6, "largest relative error " + worst);
    }

    static SequenceLoss crossEntropy() {
        SplittableRandom random = new SplittableRandom(3);
        int[] targets = new int[STEPS * BATCH];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = random.nextInt(OUTPUTS);
        }
        boolean[] mask = TimeStepMask.allSteps(STEPS);
        mask[2] = false;
        return new SoftmaxCrossEntropy(targets, mask);
    }

    static SequenceLoss lastStepSquaredError() {
        SplittableRandom random = new SplittableRandom(4);
        double[] targets = new double[STEPS * BATCH * OUTPUTS];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = random.nextDouble(-1, 1);
        }
        return new MeanSquaredError(targets, TimeStepMask.lastStep(STEPS));
    }

    @ParameterizedTest
    @EnumSource(RecurrenceDesign.class)
    void crossEntropyGradientsOfEveryParameterMatchFiniteDifferences(RecurrenceDesign design) {
        assertEveryGradientMatches(design, crossEntropy());
    }

    @ParameterizedTest
    @EnumSource(RecurrenceDesign.class)
    void lastStepSquaredErrorGradientsOfEveryParameterMatchFiniteDifferences(
            RecurrenceDesign design) {
        assertEveryGradientMatches(design, lastStepSquaredError());
    }
}
