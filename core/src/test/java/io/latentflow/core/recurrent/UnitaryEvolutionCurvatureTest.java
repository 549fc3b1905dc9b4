package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The uRNN's exact curvature products against float64 central differences, at n = 8, T = 6, batch 3
 * (196 parameters), on the network and batch of {@link UnitaryEvolutionRnnGradientTest}: the
 * copying task's loss (softmax cross-entropy over steps with one step masked out) and the adding
 * task's (squared error at the last step only). H v against five-point differences of the gradient
 * along v, every entry within 1e-6 relative plus 1e-10 absolute; H symmetric to 1e-10; G v against
 * J^T (d2L/dy2) J v with J v from five-point differences of the outputs.
 */
class UnitaryEvolutionCurvatureTest {
    /**
     * Step h of the five-point stencil along directions with entries in [-1, 1]. The loss bends
     * fast along such directions: at h = 1e-4 the largest relative error over entries above 1e-3
     * was 5e-4 (copying) and 2e-3 (adding), at 1e-5 it was 5e-8 and 2e-7, ten thousand times less,
     * as the stencil's h^4 truncation error falls.
     */
    private static final double STEP = 1e-5;

    private static final double TOLERANCE = 1e-6;
    private static final double ABSOLUTE_FLOOR = 1e-10;

    enum Task {
        COPYING,
        ADDING;

        SequenceLoss loss() {
            return this == COPYING
                    ? UnitaryEvolutionRnnGradientTest.crossEntropy()
                    : UnitaryEvolutionRnnGradientTest.lastStepSquaredError();
        }
    }

    static double[] randomDirection(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] direction = new double[size];
        for (int i = 0; i < size; i++) {
            direction[i] = random.nextDouble(-1, 1);
        }
        return direction;
    }

    /**
     * Returns the five-point difference of f along v at the network's parameters, (f(p - 2hv) - 8
     * f(p - hv) + 8 f(p + hv) - f(p + 2hv)) / 12h, and restores the parameters.
     */
    private static double[] directionalDifference(
            double[] parameters, double[] v, Function<double[], double[]> f) {
        double[] original = parameters.clone();
        double[][] at = new double[4][];
        double[] steps = {-2 * STEP, -STEP, STEP, 2 * STEP};
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < parameters.length; i++) {
                parameters[i] = original[i] + steps[s] * v[i];
            }
            at[s] = f.apply(parameters);
        }
        System.arraycopy(original, 0, parameters, 0, parameters.length);
        double[] result = new double[at[0].length];
        for (int i = 0; i < result.length; i++) {
            result[i] = (at[0][i] - 8 * at[1][i] + 8 * at[2][i] - at[3][i]) / (12 * STEP);
        }
        return result;
    }

    private static double[] gradient(UnitaryEvolutionRnn network, SequenceLoss loss) {
        double[] gradient = new double[network.parameters().length];
        network.lossAndGradient(UnitaryEvolutionRnnGradientTest.batch(), loss, gradient);
        return gradient;
    }

    private static double assertEveryEntryClose(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(expected[i] - actual[i]);
            double scale = Math.max(Math.abs(expected[i]), Math.abs(actual[i]));
            if (!(error <= TOLERANCE * scale + ABSOLUTE_FLOOR)) {
                fail(what + " entry " + i + ": expected " + expected[i] + ", got " + actual[i]);
            }
            if (scale > 1e-8) {
                worst = Math.max(worst, error / scale);
            }
        }
        return worst;
    }

    private static double dot(double[] x, double[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * y[i];
        }
        return sum;
    }

    @ParameterizedTest
    @EnumSource(Task.class)
    void hessianTimesVectorMatchesDifferencesOfGradientsOnEveryEntry(Task task) {
        UnitaryEvolutionRnn network =
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS);
        SequenceLoss loss = task.loss();
        int size = network.parameters().length;
        RecurrentCurvature curvature =
                network.curvature(UnitaryEvolutionRnnGradientTest.batch(), loss);
        for (long seed = 1; seed <= 3; seed++) {
            double[] v = randomDirection(size, seed);
            double[] product = new double[size];
            curvature.hessianTimes(v, product);
            double[] expected =
                    directionalDifference(network.parameters(), v, p -> gradient(network, loss));
            double worst = assertEveryEntryClose(task + " H v, seed " + seed, expected, product);
            assertTrue(worst < TOLERANCE, "largest relative error " + worst);
        }
    }

    @ParameterizedTest
    @EnumSource(Task.class)
    void hessianIsSymmetricAcrossPairsOfDirections(Task task) {
        UnitaryEvolutionRnn network =
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS);
        int size = network.parameters().length;
        RecurrentCurvature curvature =
                network.curvature(UnitaryEvolutionRnnGradientTest.batch(), task.loss());
        for (long seed = 10; seed < 13; seed++) {
            double[] u = randomDirection(size, seed);
            double[] v = randomDirection(size, seed + 100);
            double[] hu = new double[size];
            double[] hv = new double[size];
            curvature.hessianTimes(u, hu);
            curvature.hessianTimes(v, hv);
            double scale = Math.sqrt(dot(u, u) * dot(hv, hv));
            assertEquals(dot(u, hv), dot(v, hu), 1e-10 * scale, "u^T H v against v^T H u");
        }
    }

    @ParameterizedTest
    @EnumSource(Task.class)
    void gaussNewtonProductIsJacobianTransposeTimesLossCurvatureTimesJacobian(Task task) {
        UnitaryEvolutionRnn network =
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS);
        SequenceBatch batch = UnitaryEvolutionRnnGradientTest.batch();
        SequenceLoss loss = task.loss();
        int size = network.parameters().length;
        int k = network.layout().outputSize();
        RecurrentCurvature curvature = network.curvature(batch, loss);
        double[] outputs = network.outputs(batch);

        double[] u = randomDirection(size, 21);
        double[] v = randomDirection(size, 22);
        // J v from differences of the outputs, (d2L/dy2) J v from the loss.
        double[] jv = directionalDifference(network.parameters(), v, p -> network.outputs(batch));
        double[] ju = directionalDifference(network.parameters(), u, p -> network.outputs(batch));
        double[] lossCurvatureJv = new double[outputs.length];
        loss.hessianTimes(outputs, batch.timeSteps(), batch.batchSize(), k, jv, lossCurvatureJv);

        // J^T w as the gradient of the linear loss <w, y>, by the network's own backpropagation.
        SequenceLoss linear =
                new SequenceLoss() {
                    @Override
                    public double evaluate(
                            double[] y, int timeSteps, int batchSize, int outputSize, double[] g) {
                        System.arraycopy(lossCurvatureJv, 0, g, 0, g.length);
                        return dot(lossCurvatureJv, y);
                    }

                    @Override
                    public void hessianTimes(
                            double[] y,
                            int timeSteps,
                            int batchSize,
                            int outputSize,
                            double[] r,
                            double[] product) {
                        java.util.Arrays.fill(product, 0);
                    }
                };
        double[] expected = gradient(network, linear);
        double[] gv = new double[size];
        curvature.gaussNewtonTimes(v, gv);
        assertEveryEntryClose(task + " G v", expected, gv);

        // u^T G v = (J u)^T (d2L/dy2) (J v), with both Jacobian products from differences.
        assertEquals(dot(ju, lossCurvatureJv), dot(u, gv), 1e-7 * Math.abs(dot(u, gv)));
    }

    @ParameterizedTest
    @EnumSource(Task.class)
    void gaussNewtonMatrixIsPositiveSemidefinite(Task task) {
        UnitaryEvolutionRnn network =
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS);
        int size = network.parameters().length;
        RecurrentCurvature curvature =
                network.curvature(UnitaryEvolutionRnnGradientTest.batch(), task.loss());
        boolean hessianIndefinite = false;
        for (long seed = 30; seed < 40; seed++) {
            double[] v = randomDirection(size, seed);
            double[] product = new double[size];
            curvature.gaussNewtonTimes(v, product);
            assertTrue(dot(v, product) >= 0, "v^T G v = " + dot(v, product));
            curvature.hessianTimes(v, product);
            hessianIndefinite |= dot(v, product) < 0;
        }
        if (task == Task.COPYING) {
            // The Hessian itself is not: some direction meets negative curvature.
            assertTrue(hessianIndefinite, "no random direction met negative curvature of H");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void productsStayThoseOfThePointTheyWerePreparedAt(boolean gaussNewton) {
        UnitaryEvolutionRnn network =
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.FACTOR_LOOPS);
        int size = network.parameters().length;
        RecurrentCurvature curvature =
                network.curvature(UnitaryEvolutionRnnGradientTest.batch(), Task.COPYING.loss());
        double[] v = randomDirection(size, 50);
        double[] before = new double[size];
        double[] after = new double[size];
        multiply(curvature, gaussNewton, v, before);
        double[] parameters = network.parameters();
        for (int i = 0; i < size; i++) {
            parameters[i] += 0.1 * v[i];
        }
        multiply(curvature, gaussNewton, v, after);
        assertArrayEquals(before, after);
    }

    private static void multiply(
            RecurrentCurvature curvature, boolean gaussNewton, double[] v, double[] product) {
        if (gaussNewton) {
            curvature.gaussNewtonTimes(v, product);
        } else {
            curvature.hessianTimes(v, product);
        }
    }

    @Test
    void theNetworkViewOfTheUrnnOffersTheSameProducts() {
        UnitaryEvolutionRnn network =
                UnitaryEvolutionRnnGradientTest.network(RecurrenceDesign.DENSE_MATRIX);
        SequenceBatch batch = UnitaryEvolutionRnnGradientTest.batch();
        int size = network.parameters().length;
        double[] v = randomDirection(size, 60);
        double[] direct = new double[size];
        double[] viaInterface = new double[size];
        network.curvature(batch, Task.ADDING.loss()).hessianTimes(v, direct);
        RecurrentNetwork.of(network)
                .curvature(batch, Task.ADDING.loss())
                .hessianTimes(v, viaInterface);
        assertArrayEquals(direct, viaInterface);
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        network.curvature(batch, Task.ADDING.loss())
                                .hessianTimes(new double[3], direct));
    }
}
