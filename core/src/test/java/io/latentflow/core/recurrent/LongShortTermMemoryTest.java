package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.optim.RmsProp;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongShortTermMemoryTest {

    @Test
    void parameterCountIsFourGatesOfInputsStateAndBiasPlusTheOutputLayer() {
        // The paper's MNIST LSTM: 128 units on one pixel per step, 10 classes.
        assertEquals(
                4 * 128 * (1 + 128 + 1) + 10 * 129,
                new LongShortTermMemory(1, 128, 10, 1).parameters().length);
        assertEquals(67_850, new LongShortTermMemoryLayout(1, 128, 10).size());
    }

    @Test
    void hiddenSizeForParameterCountPicksTheNearestCount() {
        int n = LongShortTermMemory.hiddenSizeForParameterCount(10, 9, 6_153);
        long count = new LongShortTermMemoryLayout(10, n, 9).size();
        long below = new LongShortTermMemoryLayout(10, n - 1, 9).size();
        long above = new LongShortTermMemoryLayout(10, n + 1, 9).size();
        assertTrue(Math.abs(count - 6_153) <= Math.abs(below - 6_153));
        assertTrue(Math.abs(count - 6_153) <= Math.abs(above - 6_153));
    }

    @Test
    void initializationSetsTheForgetBiasAndLeavesTheOtherBiasesAtZero() {
        LongShortTermMemory network = new LongShortTermMemory(2, 16, 3, 5);
        LongShortTermMemoryLayout layout = network.layout();
        double[] p = network.parameters();
        for (int q = 0; q < layout.gates(); q++) {
            boolean forget = q >= 16 && q < 32;
            assertEquals(forget ? LongShortTermMemory.FORGET_BIAS : 0, p[layout.gateBias() + q]);
        }
        double limit = Math.sqrt(6.0 / 32);
        double largest = 0;
        for (int i = layout.recurrentWeights(); i < layout.gateBias(); i++) {
            largest = Math.max(largest, Math.abs(p[i]));
        }
        assertTrue(largest <= limit && largest > 0.9 * limit, "W_h uniform in +-" + limit);
        assertTrue(Double.isNaN(network.unitarityDeviation()));
    }

    @Test
    void outputsWithoutKeepingStepsEqualTheTrainingPassAndTheStepByStepEquations() {
        int m = 2;
        int n = 5;
        int k = 3;
        int steps = 4;
        int batchSize = 2;
        LongShortTermMemory network = new LongShortTermMemory(m, n, k, 3);
        SplittableRandom random = new SplittableRandom(9);
        double[] inputs = new double[steps * batchSize * m];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = random.nextDouble(-1, 1);
        }
        SequenceBatch batch = new SequenceBatch(steps, batchSize, m, inputs);
        double[] outputs = network.outputs(batch);

        double[] expected = referenceOutputs(network, batch);
        assertArrayEquals(expected, outputs, 1e-13);
    }

    /** The equations of the class comment, one example and one step at a time, with Math.tanh. */
    private static double[] referenceOutputs(LongShortTermMemory network, SequenceBatch batch) {
        LongShortTermMemoryLayout layout = network.layout();
        double[] p = network.parameters();
        int m = layout.inputSize();
        int n = layout.hiddenSize();
        int k = layout.outputSize();
        double[] outputs = new double[batch.rows() * k];
        for (int b = 0; b < batch.batchSize(); b++) {
            double[] h = new double[n];
            double[] c = new double[n];
            for (int t = 0; t < batch.timeSteps(); t++) {
                int row = t * batch.batchSize() + b;
                double[] z = new double[4 * n];
                for (int q = 0; q < 4 * n; q++) {
                    z[q] = p[layout.gateBias() + q];
                    for (int i = 0; i < m; i++) {
                        z[q] += p[layout.inputWeights() + q * m + i] * batch.inputs()[row * m + i];
                    }
                    for (int j = 0; j < n; j++) {
                        z[q] += p[layout.recurrentWeights() + q * n + j] * h[j];
                    }
                }
                for (int j = 0; j < n; j++) {
                    double input = 1 / (1 + Math.exp(-z[j]));
                    double forget = 1 / (1 + Math.exp(-z[n + j]));
                    double candidate = Math.tanh(z[2 * n + j]);
                    double output = 1 / (1 + Math.exp(-z[3 * n + j]));
                    c[j] = forget * c[j] + input * candidate;
                    h[j] = output * Math.tanh(c[j]);
                }
                for (int o = 0; o < k; o++) {
                    double y = p[layout.outputBias() + o];
                    for (int j = 0; j < n; j++) {
                        y += p[layout.outputWeights() + o * n + j] * h[j];
                    }
                    outputs[row * k + o] = y;
                }
            }
        }
        return outputs;
    }

    @Test
    void sameSeedGivesTheSameParametersAndTrainsToTheSameParameterHash() {
        assertEquals(
                new LongShortTermMemory(10, 32, 9, 77).parameterHash(),
                new LongShortTermMemory(10, 32, 9, 77).parameterHash());
        assertNotEquals(
                new LongShortTermMemory(10, 32, 9, 77).parameterHash(),
                new LongShortTermMemory(10, 32, 9, 78).parameterHash());
        assertEquals(trainedHash(), trainedHash());
    }

    @Test
    void rmsPropLearnsToRecallTheFirstInputAtTheLastStep() {
        // Sequences of 12 steps of 2 features, the target the sign of the first step's feature 0.
        LongShortTermMemory network = new LongShortTermMemory(2, 16, 2, 4);
        RmsProp optimizer = new RmsProp(1e-2, 0.9, 1e-8, network.parameters().length);
        SplittableRandom random = new SplittableRandom(6);
        double[] gradient = new double[network.parameters().length];
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 300; step++) {
            int steps = 12;
            int batchSize = 16;
            double[] inputs = new double[steps * batchSize * 2];
            int[] targets = new int[steps * batchSize];
            for (int b = 0; b < batchSize; b++) {
                for (int t = 0; t < steps; t++) {
                    inputs[(t * batchSize + b) * 2] = random.nextDouble(-1, 1);
                    inputs[(t * batchSize + b) * 2 + 1] = t == 0 ? 1 : 0;
                }
                targets[(steps - 1) * batchSize + b] = inputs[b * 2] > 0 ? 1 : 0;
            }
            SequenceBatch batch = new SequenceBatch(steps, batchSize, 2, inputs);
            double loss =
                    network.lossAndGradient(
                            batch,
                            new SoftmaxCrossEntropy(targets, TimeStepMask.lastStep(steps)),
                            gradient,
                            null);
            optimizer.update(network.parameters(), gradient);
            if (step == 0) {
                first = loss;
            }
            last = loss;
        }
        assertTrue(first > 0.5, "starts near log 2: " + first);
        assertTrue(last < 0.2, "after 300 steps the loss is " + last);
    }

    private static String trainedHash() {
        LongShortTermMemory network = new LongShortTermMemory(3, 8, 2, 21);
        RmsProp optimizer = RmsProp.withPaperSettings(network.parameters().length);
        SplittableRandom random = new SplittableRandom(8);
        double[] gradient = new double[network.parameters().length];
        for (int step = 0; step < 5; step++) {
            double[] inputs = new double[10 * 4 * 3];
            double[] targets = new double[10 * 4 * 2];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = random.nextDouble(-1, 1);
            }
            for (int i = 0; i < targets.length; i++) {
                targets[i] = random.nextDouble(-1, 1);
            }
            network.lossAndGradient(
                    new SequenceBatch(10, 4, 3, inputs),
                    new MeanSquaredError(targets, TimeStepMask.allSteps(10)),
                    gradient,
                    null);
            optimizer.update(network.parameters(), gradient);
        }
        return network.parameterHash();
    }
}
