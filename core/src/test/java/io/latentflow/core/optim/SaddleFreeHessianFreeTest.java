package io.latentflow.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.HessianVectorProduct;
import io.latentflow.core.nn.OutputActivation;
import io.latentflow.core.nn.SquaredError;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SaddleFreeHessianFreeTest {
    /** An objective given by closed forms of its loss, gradient and Hessian product. */
    private static final class ClosedFormObjective implements SecondOrderObjective {
        private final INDArray parameters;
        private final ToDoubleFunction<double[]> loss;
        private final Function<double[], double[]> gradient;
        private final Function<double[], Function<double[], double[]>> hessian;

        private ClosedFormObjective(
                double[] start,
                ToDoubleFunction<double[]> loss,
                Function<double[], double[]> gradient,
                Function<double[], Function<double[], double[]>> hessian) {
            this.parameters = Nd4j.createFromArray(start.clone());
            this.loss = loss;
            this.gradient = gradient;
            this.hessian = hessian;
        }

        @Override
        public INDArray parameters() {
            return parameters;
        }

        @Override
        public double loss() {
            return loss.applyAsDouble(parameters.toDoubleVector());
        }

        @Override
        public INDArray gradient() {
            return Nd4j.createFromArray(gradient.apply(parameters.toDoubleVector()));
        }

        @Override
        public Curvature curvature() {
            Function<double[], double[]> product = hessian.apply(parameters.toDoubleVector());
            return new Curvature() {
                @Override
                public INDArray hessianTimes(INDArray direction) {
                    return Nd4j.createFromArray(product.apply(direction.toDoubleVector()));
                }

                @Override
                public INDArray gaussNewtonTimes(INDArray direction) {
                    return hessianTimes(direction);
                }
            };
        }
    }

    /** f = 1/2 x^T A x - b^T x with A = diag(1, 4, 9, 25, 100). */
    private static ClosedFormObjective convexQuadratic() {
        double[] diagonal = {1, 4, 9, 25, 100};
        double[] b = {1, -1, 2, -2, 3};
        return new ClosedFormObjective(
                new double[5],
                x -> {
                    double sum = 0;
                    for (int i = 0; i < 5; i++) {
                        sum += 0.5 * diagonal[i] * x[i] * x[i] - b[i] * x[i];
                    }
                    return sum;
                },
                x -> {
                    double[] g = new double[5];
                    for (int i = 0; i < 5; i++) {
                        g[i] = diagonal[i] * x[i] - b[i];
                    }
                    return g;
                },
                x ->
                        v -> {
                            double[] y = new double[5];
                            for (int i = 0; i < 5; i++) {
                                y[i] = diagonal[i] * v[i];
                            }
                            return y;
                        });
    }

    /**
     * f(x, y) = x^2 / 2 - y^2 / 2 + y^4 / 4: a saddle at the origin, where the Hessian is diag(1,
     * -1), and minima at (0, +-1) with f = -1/4.
     */
    private static ClosedFormObjective quarticSaddle(double[] start) {
        return new ClosedFormObjective(
                start,
                p -> 0.5 * p[0] * p[0] - 0.5 * p[1] * p[1] + 0.25 * Math.pow(p[1], 4),
                p -> new double[] {p[0], -p[1] + Math.pow(p[1], 3)},
                p -> v -> new double[] {v[0], (-1 + 3 * p[1] * p[1]) * v[1]});
    }

    @Test
    void everyMethodMinimisesAConvexQuadratic() {
        double[] minimiser = {1, -0.25, 2.0 / 9, -0.08, 0.03};
        for (CurvatureMethod method : CurvatureMethod.values()) {
            ClosedFormObjective objective = convexQuadratic();
            SaddleFreeHessianFree optimizer =
                    new SaddleFreeHessianFree(HessianFreeConfig.defaults(method, 1e-3, 50));
            for (int step = 0; step < 8; step++) {
                optimizer.step(objective);
            }
            double[] reached = objective.parameters().toDoubleVector();
            for (int i = 0; i < 5; i++) {
                assertEquals(minimiser[i], reached[i], 1e-7, method + " coordinate " + i);
            }
        }
    }

    @Test
    void onAQuadraticThePredictedReductionIsTheActualOneAndDampingShrinks() {
        ClosedFormObjective objective = convexQuadratic();
        SaddleFreeHessianFree optimizer =
                new SaddleFreeHessianFree(
                        HessianFreeConfig.defaults(CurvatureMethod.NEWTON, 0.3, 50));
        HessianFreeStep step = optimizer.step(objective);

        assertTrue(step.predictedReduction() < 0);
        assertEquals(step.predictedReduction(), step.actualReduction(), 1e-12);
        assertEquals(1.0, step.reductionRatio(), 1e-10);
        assertEquals(0.3, step.damping());
        assertEquals(0.2, step.nextDamping(), 1e-15);
        assertEquals(1.0, step.stepLength());
        assertEquals(step.lossBefore() + step.actualReduction(), step.lossAfter(), 1e-12);
        assertEquals(step.innerIterations(), step.curvatureProducts() - 1);
        // Without Lanczos it is the smallest Rayleigh quotient of the search directions, which
        // lies between the extreme eigenvalues 1 and 100.
        assertTrue(step.mostNegativeCurvature() >= 1 && step.mostNegativeCurvature() < 100);
    }

    @Test
    void aStepThatTheModelPredictsToRaiseTheLossRaisesTheDamping() {
        // f = x - x^2 / 2 at x = 0: g = 1, H = -1. Newton-CG goes to the model's stationary point
        // d = -g / (H + lambda) = 1 / 0.99, uphill, where the model is exact, so actual and
        // predicted rise by the same 0.5102... and their ratio is 1.
        ClosedFormObjective concave =
                new ClosedFormObjective(
                        new double[1],
                        x -> x[0] - 0.5 * x[0] * x[0],
                        x -> new double[] {1 - x[0]},
                        x -> v -> new double[] {-v[0]});
        SaddleFreeHessianFree optimizer =
                new SaddleFreeHessianFree(
                        HessianFreeConfig.defaults(CurvatureMethod.NEWTON, 0.01, 10));
        HessianFreeStep step = optimizer.step(concave);

        double d = 1 / 0.99;
        assertEquals(d - 0.5 * d * d, step.predictedReduction(), 1e-12);
        assertEquals(step.predictedReduction(), step.actualReduction(), 1e-12);
        assertEquals(1.0, step.reductionRatio(), 1e-12);
        assertEquals(0.0, step.stepLength());
        assertEquals(0.015, step.nextDamping(), 1e-15);
        assertEquals(0.0, concave.parameters().getDouble(0));
    }

    @Test
    void thePredictedReductionUsesTheCurvatureAtTheStepsStartingPoint() {
        // A network's curvature products read its live weights, which backtracking moves; the
        // model must still be the one at the start, recomputed here on an untouched copy.
        int[] widths = {4, 5, 3};
        SplittableRandom random = new SplittableRandom(11);
        double[][] rows = new double[16][4];
        double[][] targets = new double[16][3];
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 4; j++) {
                rows[i][j] = random.nextDouble(-1, 1);
            }
            for (int j = 0; j < 3; j++) {
                targets[i][j] = random.nextDouble();
            }
        }
        INDArray input = Nd4j.createFromArray(rows);
        INDArray target = Nd4j.createFromArray(targets);
        for (CurvatureMethod method : CurvatureMethod.values()) {
            FeedForwardNetwork network =
                    new FeedForwardNetwork(widths, 0.2, OutputActivation.SIGMOID, DataType.DOUBLE);
            network.initializeUniform(new SplittableRandom(3));
            double[] start = network.parameters().toDoubleVector();
            FeedForwardNetwork copy =
                    new FeedForwardNetwork(widths, 0.2, OutputActivation.SIGMOID, DataType.DOUBLE);
            copy.parameters().assign(Nd4j.createFromArray(start));
            HessianVectorProduct atStart =
                    new HessianVectorProduct(copy, new SquaredError(), input, target);
            NetworkObjective objective =
                    new NetworkObjective(network, new SquaredError(), input, target, input, target);

            HessianFreeStep step =
                    new SaddleFreeHessianFree(HessianFreeConfig.defaults(method, 0.1, 20))
                            .step(objective);

            assertEquals(1.0, step.stepLength(), method.toString());
            INDArray d = network.parameters().sub(Nd4j.createFromArray(start));
            INDArray curvatureTimesD =
                    method == CurvatureMethod.GAUSS_NEWTON
                            ? atStart.gaussNewtonTimes(d)
                            : atStart.hessianTimes(d);
            double expected =
                    atStart.gradient().mul(d).sumNumber().doubleValue()
                            + 0.5 * d.mul(curvatureTimesD).sumNumber().doubleValue();
            assertEquals(
                    expected,
                    step.predictedReduction(),
                    1e-9 * Math.abs(expected),
                    method.toString());
        }
    }

    @Test
    void saddleFreeLeavesTheSaddleWhileNewtonStallsNextToIt() {
        double[] nearSaddle = {1, 1e-3};
        ClosedFormObjective saddleFree = quarticSaddle(nearSaddle);
        ClosedFormObjective newton = quarticSaddle(nearSaddle);
        SaddleFreeHessianFree saddleFreeOptimizer =
                new SaddleFreeHessianFree(
                        HessianFreeConfig.defaults(CurvatureMethod.SADDLE_FREE, 1e-2, 50));
        SaddleFreeHessianFree newtonOptimizer =
                new SaddleFreeHessianFree(
                        HessianFreeConfig.defaults(CurvatureMethod.NEWTON, 1e-2, 50));

        HessianFreeStep first = saddleFreeOptimizer.step(saddleFree);
        HessianFreeStep lastNewton = null;
        for (int step = 1; step < 20; step++) {
            saddleFreeOptimizer.step(saddleFree);
        }
        for (int step = 0; step < 20; step++) {
            lastNewton = newtonOptimizer.step(newton);
        }

        assertEquals(-1, first.mostNegativeCurvature(), 1e-5);
        assertEquals(-0.25, saddleFree.loss(), 1e-12);
        assertEquals(1, Math.abs(saddleFree.parameters().getDouble(1)), 1e-6);
        // Once x is small the Newton step heads for the saddle, uphill, and is rejected; each
        // rejection raises the damping towards making H + lambda I positive definite, and its
        // accepted steps gain little, so after 20 steps it is still far from the minimum.
        assertTrue(newton.loss() > -0.1, "Newton's loss " + newton.loss());
        assertTrue(lastNewton.damping() > 10 * 1e-2, "Newton's damping " + lastNewton.damping());
    }

    @Test
    void atAStationaryPointEveryMethodStaysPut() {
        for (CurvatureMethod method : CurvatureMethod.values()) {
            ClosedFormObjective objective = quarticSaddle(new double[] {0, 1});
            HessianFreeStep step =
                    new SaddleFreeHessianFree(HessianFreeConfig.defaults(method, 1e-2, 20))
                            .step(objective);
            assertEquals(0.0, objective.parameters().getDouble(0), method.toString());
            assertEquals(1.0, objective.parameters().getDouble(1), method.toString());
            assertEquals(-0.25, step.lossAfter(), method.toString());
        }
    }

    @Test
    void anOptimizerRestoredFromItsSavedStateTakesTheSameNextStep() {
        for (CurvatureMethod method : CurvatureMethod.values()) {
            HessianFreeConfig config = HessianFreeConfig.defaults(method, 0.5, 10);
            SplittableRandom random = new SplittableRandom(3);
            double[][] rows = new double[12][5];
            for (double[] row : rows) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = random.nextDouble();
                }
            }
            INDArray data = Nd4j.createFromArray(rows);
            FeedForwardNetwork continuing = smallAutoencoder();
            FeedForwardNetwork resumed = smallAutoencoder();
            NetworkObjective continuingObjective = objective(continuing, data);
            NetworkObjective resumedObjective = objective(resumed, data);
            SaddleFreeHessianFree optimizer = new SaddleFreeHessianFree(config);
            optimizer.step(continuingObjective);
            optimizer.step(continuingObjective);
            resumed.parameters().assign(continuing.parameters());
            SaddleFreeHessianFree restored = new SaddleFreeHessianFree(config);
            restored.restore(optimizer.iteration(), optimizer.damping(), optimizer.previousStep());

            HessianFreeStep expected = optimizer.step(continuingObjective);
            HessianFreeStep actual = restored.step(resumedObjective);

            assertEquals(expected, actual, method.toString());
            assertArrayEquals(
                    continuing.parameters().toDoubleVector(),
                    resumed.parameters().toDoubleVector(),
                    0.0,
                    method.toString());
            if (method != CurvatureMethod.SADDLE_FREE && expected.stepLength() > 0) {
                assertTrue(optimizer.previousStep() != null, "a warm start is kept");
            }
        }
    }

    private static FeedForwardNetwork smallAutoencoder() {
        FeedForwardNetwork network =
                new FeedForwardNetwork(
                        new int[] {5, 3, 5}, 0.2, OutputActivation.SIGMOID, DataType.DOUBLE);
        network.initializeUniform(new SplittableRandom(11));
        return network;
    }

    private static NetworkObjective objective(FeedForwardNetwork network, INDArray data) {
        INDArray curvature = data.get(NDArrayIndex.interval(0, 6)).dup();
        return new NetworkObjective(network, new SquaredError(), data, data, curvature, curvature);
    }
}
