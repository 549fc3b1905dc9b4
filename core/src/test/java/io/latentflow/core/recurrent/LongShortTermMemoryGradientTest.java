package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every LSTM parameter's gradient from backpropagation through time against float64 central finite
 * differences, at n = 7, T = 6, batch 3: relative error below 1e-6 (plus 1e-11 absolute).
 */
class LongShortTermMemoryGradientTest {
    private static final int INPUTS = 3;
    private static final int HIDDEN = 7;
    private static final int OUTPUTS = 4;
    private static final int STEPS = 6;
    private static final int BATCH = 3;

    /**
     * A network moved away from its initialization, with gate biases in [-1, 1] and a nonzero
     * output bias, so that no gradient is zero by symmetry and the gates are not all half open.
     */
    private static LongShortTermMemory network() {
        LongShortTermMemory network = new LongShortTermMemory(INPUTS, HIDDEN, OUTPUTS, 11);
        LongShortTermMemoryLayout layout = network.layout();
        double[] parameters = network.parameters();
        SplittableRandom random = new SplittableRandom(5);
        for (int q = 0; q < layout.gates(); q++) {
            parameters[layout.gateBias() + q] = random.nextDouble(-1, 1);
        }
        for (int o = 0; o < OUTPUTS; o++) {
            parameters[layout.outputBias() + o] = random.nextDouble(-0.5, 0.5);
        }
        return network;
    }

    /** Inputs in [-1, 1] with some exact zeros, which the input projection skips. */
    private static SequenceBatch batch() {
        SplittableRandom random = new SplittableRandom(7);
        double[] inputs = new double[STEPS * BATCH * INPUTS];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = i % 5 == 0 ? 0 : random.nextDouble(-1, 1);
        }
        return new SequenceBatch(STEPS, BATCH, INPUTS, inputs);
    }

    private static Map<String, int[]> blocks(LongShortTermMemoryLayout layout) {
        Map<String, int[]> blocks = new LinkedHashMap<>();
        blocks.put("W_x", new int[] {layout.inputWeights(), layout.gates() * INPUTS});
        blocks.put("W_h", new int[] {layout.recurrentWeights(), layout.gates() * HIDDEN});
        blocks.put("b", new int[] {layout.gateBias(), layout.gates()});
        blocks.put("U", new int[] {layout.outputWeights(), OUTPUTS * HIDDEN});
        blocks.put("c", new int[] {layout.outputBias(), OUTPUTS});
        return blocks;
    }

    private static void assertEveryGradientMatches(SequenceLoss loss) {
        LongShortTermMemory network = network();
        SequenceBatch batch = batch();
        double[] gradient = new double[network.parameters().length];
        network.lossAndGradient(batch, loss, gradient, null);

        int checked = 0;
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
            checked += block.getValue()[1];
        }
        assertEquals(network.parameters().length, checked, "every parameter is checked");
        // Every entry met 1e-6 relative plus 1e-11 absolute; tiny entries count only the latter.
        assertTrue(worst < 1e-5, "largest relative error " + worst);
    }

    @Test
    void crossEntropyGradientsOfEveryParameterMatchFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(3);
        int[] targets = new int[STEPS * BATCH];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = random.nextInt(OUTPUTS);
        }
        boolean[] mask = TimeStepMask.allSteps(STEPS);
        mask[2] = false;
        assertEveryGradientMatches(new SoftmaxCrossEntropy(targets, mask));
    }

    @Test
    void lastStepSquaredErrorGradientsOfEveryParameterMatchFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(4);
        double[] targets = new double[STEPS * BATCH * OUTPUTS];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = random.nextDouble(-1, 1);
        }
        assertEveryGradientMatches(new MeanSquaredError(targets, TimeStepMask.lastStep(STEPS)));
    }

    @Test
    void stateGradientNormsAreTheNormsOfDlossDhAtEachStep() {
        // With the loss on the last step only, dL/dh_{T-1} = U^T dL/dy: check its norm directly.
        LongShortTermMemory network = network();
        SequenceBatch batch = batch();
        double[] targets = new double[STEPS * BATCH * OUTPUTS];
        MeanSquaredError loss = new MeanSquaredError(targets, TimeStepMask.lastStep(STEPS));
        double[] outputs = network.outputs(batch);
        double[] outputGradient = new double[outputs.length];
        loss.evaluate(outputs, STEPS, BATCH, OUTPUTS, outputGradient);
        LongShortTermMemoryLayout layout = network.layout();
        double expected = 0;
        for (int b = 0; b < BATCH; b++) {
            double sum = 0;
            for (int j = 0; j < HIDDEN; j++) {
                double dh = 0;
                for (int o = 0; o < OUTPUTS; o++) {
                    dh +=
                            outputGradient[((STEPS - 1) * BATCH + b) * OUTPUTS + o]
                                    * network.parameters()[layout.outputWeights() + o * HIDDEN + j];
                }
                sum += dh * dh;
            }
            expected += Math.sqrt(sum) / BATCH;
        }
        double[] norms = new double[STEPS];
        network.lossAndGradient(batch, loss, new double[layout.size()], norms);
        assertEquals(expected, norms[STEPS - 1], 1e-14);
        for (double norm : norms) {
            assertTrue(norm > 0 && Double.isFinite(norm), "every step gets some gradient");
        }
    }
}
