package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.optim.RmsProp;
import io.latentflow.core.tasks.AddingTask;
import io.latentflow.core.tasks.TaskBatch;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UnitaryEvolutionRnnTest {

    @Test
    void fftFactorChainEqualsTheExplicitlyMultipliedMatrix() {
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(2, 16, 3, 21);
        double[][] chain = network.recurrentMatrix();
        double[][] explicit = ExplicitRecurrentMatrix.of(network);
        assertArrayEquals(explicit[0], chain[0], 1e-13);
        assertArrayEquals(explicit[1], chain[1], 1e-13);
    }

    @Test
    void firstStepStateIsModReluOfTheExplicitMatrixTimesH0PlusVx() {
        int m = 2;
        int n = 8;
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(m, n, n * 2, 9);
        UnitaryEvolutionRnnLayout layout = network.layout();
        double[] p = network.parameters();
        // U = I on [Re h; Im h] and c = 0, so that the outputs are the state itself.
        Arrays.fill(p, layout.outputWeights(), layout.outputBias() + 2 * n, 0);
        for (int q = 0; q < 2 * n; q++) {
            p[layout.outputWeights() + q * 2 * n + q] = 1;
        }
        for (int j = 0; j < n; j++) {
            p[layout.modReluBias() + j] = 0.05 * j - 0.1;
        }
        double[] x = {0.3, -0.7};
        double[] outputs = network.outputs(new SequenceBatch(1, 1, m, x));

        double[][] w = ExplicitRecurrentMatrix.of(network);
        double[] z = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double re = 0;
            double im = 0;
            for (int j = 0; j < n; j++) {
                double hRe = p[layout.initialState() + j];
                double hIm = p[layout.initialState() + n + j];
                re += w[0][i * n + j] * hRe - w[1][i * n + j] * hIm;
                im += w[0][i * n + j] * hIm + w[1][i * n + j] * hRe;
            }
            for (int f = 0; f < m; f++) {
                re += p[layout.inputReal() + i * m + f] * x[f];
                im += p[layout.inputImaginary() + i * m + f] * x[f];
            }
            double modulus = Math.hypot(re, im);
            double scale = Math.max(0, modulus + p[layout.modReluBias() + i]) / modulus;
            z[i] = scale * re;
            z[n + i] = scale * im;
        }
        assertArrayEquals(z, outputs, 1e-9);
    }

    @Test
    void initialRecurrentMatrixIsUnitaryToFloat64Rounding() {
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(10, 128, 9, 1);
        assertTrue(
                ExplicitRecurrentMatrix.unitarityDeviation(network.recurrentMatrix(), 128) < 1e-12);
        double explicit =
                ExplicitRecurrentMatrix.unitarityDeviation(
                        ExplicitRecurrentMatrix.of(network), 128);
        assertTrue(explicit < 1e-12, "max |W^H W - I| = " + explicit);
    }

    @Test
    void recurrentMatrixStaysUnitaryAfterTenThousandRmsPropUpdates() {
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(10, 128, 9, 2);
        double[] parameters = network.parameters();
        String initialHash = network.parameterHash();
        RmsProp optimizer = RmsProp.withPaperSettings(parameters.length);
        SplittableRandom random = new SplittableRandom(3);
        double[] gradient = new double[parameters.length];
        for (int update = 0; update < 10_000; update++) {
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] = random.nextGaussian();
            }
            optimizer.update(parameters, gradient);
        }
        assertNotEquals(initialHash, network.parameterHash());
        double deviation =
                ExplicitRecurrentMatrix.unitarityDeviation(
                        ExplicitRecurrentMatrix.of(network), 128);
        assertTrue(deviation < 1e-5, "max |W^H W - I| = " + deviation);
        double chain = ExplicitRecurrentMatrix.unitarityDeviation(network.recurrentMatrix(), 128);
        assertTrue(chain < 1e-5, "max |W^H W - I| of the FFT chain = " + chain);
    }

    @Test
    void unitarityDeviationAgreesWithTheDenseProductAndSeesANonUnitaryMatrix() {
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(10, 16, 9, 4);
        double[][] w = network.recurrentMatrix();
        assertEquals(
                ExplicitRecurrentMatrix.unitarityDeviation(w, 16),
                network.unitarityDeviation(),
                1e-15);

        // A = (1 + 0.5i) I plus A_10 = 0.1: (A^H A)_00 = 1.25 + 0.01, the largest deviation;
        // (A^H A)_01 = 0.1 (1 + 0.5i) is off by only 0.11.
        int n = 3;
        double[][] a = {new double[n * n], new double[n * n]};
        for (int i = 0; i < n; i++) {
            a[0][i * n + i] = 1;
            a[1][i * n + i] = 0.5;
        }
        a[0][n] = 0.1;
        assertEquals(0.25 + 0.01, UnitaryEvolutionRnn.unitarityDeviation(a, n), 1e-12);
    }

    @Test
    void stateGradientNormsStayConstantBackThroughAUnitaryLinearRecurrence() {
        // At the initialization modReLU's bias is 0, where modReLU is exactly the identity, so
        // dL/dh_{t-1} = W^H dL/dh_t for a loss on the last step only: every norm equals the last.
        int steps = 30;
        int batchSize = 3;
        TaskBatch batch = new AddingTask(steps, 9).batch(0, batchSize);
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(2, 16, 1, 6);
        double[] gradient = new double[network.parameters().length];
        double[] norms = new double[steps];
        double loss = network.lossAndGradient(batch.inputs(), batch.loss(), gradient, norms);

        // dL/dh_{T-1} = U^T dL/dy_{T-1}, with dL/dy = 2 (y - target) / B for the mean square.
        double[] outputs = network.outputs(batch.inputs());
        UnitaryEvolutionRnnLayout layout = network.layout();
        double outputNorm = 0;
        for (int q = 0; q < 32; q++) {
            double u = network.parameters()[layout.outputWeights() + q];
            outputNorm += u * u;
        }
        outputNorm = Math.sqrt(outputNorm);
        double expectedLast = 0;
        for (int b = 0; b < batchSize; b++) {
            AddingTask.Example example = new AddingTask(steps, 9).example(b);
            double y = outputs[(steps - 1) * batchSize + b];
            expectedLast += Math.abs(2 * (y - example.target()) / batchSize) * outputNorm;
        }
        expectedLast /= batchSize;
        assertEquals(expectedLast, norms[steps - 1], 1e-12 * expectedLast);
        for (int t = 0; t < steps; t++) {
            assertEquals(norms[steps - 1], norms[t], 1e-9 * norms[steps - 1], "step " + t);
        }

        double[] plain = new double[gradient.length];
        assertEquals(loss, network.lossAndGradient(batch.inputs(), batch.loss(), plain));
        assertArrayEquals(plain, gradient, 0.0);
    }

    @Test
    void stateGradientNormsShrinkBackThroughUnitsThatModReluSwitchesOff() {
        int steps = 30;
        TaskBatch batch = new AddingTask(steps, 9).batch(0, 3);
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(2, 16, 1, 6);
        Arrays.fill(
                network.parameters(),
                network.layout().modReluBias(),
                network.layout().modReluBias() + 16,
                -0.2);
        double[] norms = new double[steps];
        network.lossAndGradient(
                batch.inputs(), batch.loss(), new double[network.parameters().length], norms);
        assertTrue(
                norms[0] < 0.5 * norms[steps - 1],
                "first " + norms[0] + ", last " + norms[steps - 1]);
    }

    @Test
    void initializationFollowsThePaper() {
        int n = 128;
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(10, n, 9, 4);
        UnitaryEvolutionRnnLayout layout = network.layout();
        double[] p = network.parameters();
        for (int i = layout.phase(1); i < layout.phase(3) + n; i++) {
            assertTrue(Math.abs(p[i]) <= Math.PI);
        }
        for (int i = layout.reflectionReal(1); i < layout.reflectionImaginary(2) + n; i++) {
            assertTrue(Math.abs(p[i]) <= 1);
        }
        for (int j = 0; j < n; j++) {
            assertEquals(0, p[layout.modReluBias() + j]);
        }
        double limit = Math.sqrt(6.0 / (10 + 2 * n));
        for (int i = layout.inputReal(); i < layout.outputWeights(); i++) {
            assertTrue(Math.abs(p[i]) <= limit);
        }
        // E |h0|^2 = 1: over 64 seeds the mean squared norm is 1 within a few standard errors.
        double sum = 0;
        for (int seed = 0; seed < 64; seed++) {
            double[] q = new UnitaryEvolutionRnn(10, n, 9, seed).parameters();
            for (int i = layout.initialState(); i < layout.size(); i++) {
                sum += q[i] * q[i];
            }
        }
        assertEquals(1, sum / 64, 0.02);
        int[] sorted = network.permutation();
        Arrays.sort(sorted);
        for (int j = 0; j < n; j++) {
            assertEquals(j, sorted[j]);
        }
    }

    @Test
    void sameSeedGivesTheSameParametersAndOutputs() {
        UnitaryEvolutionRnn first = new UnitaryEvolutionRnn(10, 32, 9, 77);
        UnitaryEvolutionRnn second = new UnitaryEvolutionRnn(10, 32, 9, 77);
        UnitaryEvolutionRnn other = new UnitaryEvolutionRnn(10, 32, 9, 78);
        assertEquals(first.parameterHash(), second.parameterHash());
        assertNotEquals(first.parameterHash(), other.parameterHash());
        assertArrayEquals(first.permutation(), second.permutation());

        double[] inputs = new double[5 * 2 * 10];
        for (int i = 0; i < inputs.length; i += 7) {
            inputs[i] = 1;
        }
        SequenceBatch batch = new SequenceBatch(5, 2, 10, inputs);
        assertArrayEquals(first.outputs(batch), second.outputs(batch));
    }

    @Test
    void hiddenStateNormIsKeptByTheRecurrenceWithoutInputAndBias() {
        // With V x = 0 and b = 0, modReLU is the identity up to epsilon and W is unitary, so
        // |h_t| = |h0| for every t: the property that lets gradients travel far.
        int n = 64;
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(1, n, 2 * n, 12);
        UnitaryEvolutionRnnLayout layout = network.layout();
        double[] p = network.parameters();
        Arrays.fill(p, layout.outputWeights(), layout.outputBias() + 2 * n, 0);
        for (int q = 0; q < 2 * n; q++) {
            p[layout.outputWeights() + q * 2 * n + q] = 1;
        }
        double initialNorm = 0;
        for (int i = layout.initialState(); i < layout.size(); i++) {
            initialNorm += p[i] * p[i];
        }
        int steps = 200;
        double[] outputs = network.outputs(new SequenceBatch(steps, 1, 1, new double[steps]));
        double lastNorm = 0;
        for (int q = 0; q < 2 * n; q++) {
            lastNorm += outputs[(steps - 1) * 2 * n + q] * outputs[(steps - 1) * 2 * n + q];
        }
        assertEquals(initialNorm, lastNorm, 1e-8);
    }
}
