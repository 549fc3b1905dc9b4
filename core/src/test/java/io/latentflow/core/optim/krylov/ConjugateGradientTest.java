package io.latentflow.core.optim.krylov;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConjugateGradientTest {
    private static final int N = 30;

    private static double[] spectrum(boolean indefinite) {
        double[] eigenvalues = new double[N];
        for (int i = 0; i < N; i++) {
            double magnitude = 0.1 * Math.pow(100, i / (N - 1.0));
            eigenvalues[i] = indefinite && i % 3 == 0 ? -magnitude : magnitude;
        }
        return eigenvalues;
    }

    @Test
    void dampedPositiveDefiniteSystemIsSolved() {
        double[][] matrix = SaddleFreeDirectionTest.withSpectrum(spectrum(false), 51);
        double[] gradient = SaddleFreeDirectionTest.gaussianVector(new SplittableRandom(52), N);
        double damping = 0.05;
        ConjugateGradient.Result result =
                new ConjugateGradient(500, 1e-12, true)
                        .solve(
                                SaddleFreeDirectionTest.operator(matrix),
                                damping,
                                gradient,
                                null,
                                new int[] {1, 2, 5});
        double[] expected =
                new JacobiEigenvalues(matrix).apply(value -> -1 / (value + damping), gradient);
        assertTrue(SaddleFreeDirectionTest.relativeError(expected, result.solution()) < 1e-8);
        assertFalse(result.negativeCurvature());
        assertEquals(3, result.snapshots().size());
        assertEquals(result.iterations(), result.products());
        // phi at the solution is -1/2 g^T (B + lambda)^-1 g.
        double optimum = 0.5 * Vectors.dot(gradient, expected);
        assertEquals(optimum, result.quadraticValue(), 1e-9 * Math.abs(optimum));
    }

    @Test
    void truncatingSolverStopsAtNegativeCurvatureAndTheOtherFindsTheStationaryPoint() {
        double[][] matrix = SaddleFreeDirectionTest.withSpectrum(spectrum(true), 53);
        double[] gradient = SaddleFreeDirectionTest.gaussianVector(new SplittableRandom(54), N);
        SymmetricOperator operator = SaddleFreeDirectionTest.operator(matrix);

        ConjugateGradient.Result truncated =
                new ConjugateGradient(500, 1e-12, true)
                        .solve(operator, 0, gradient, null, new int[0]);
        ConjugateGradient.Result newton =
                new ConjugateGradient(500, 1e-14, false)
                        .solve(operator, 0, gradient, null, new int[0]);

        assertTrue(truncated.negativeCurvature());
        assertTrue(truncated.iterations() < N);
        assertTrue(truncated.smallestCurvature() < 0);
        double[] stationary = new JacobiEigenvalues(matrix).apply(value -> -1 / value, gradient);
        double error = SaddleFreeDirectionTest.relativeError(stationary, newton.solution());
        assertTrue(
                error < 1e-6,
                "relative error " + error + " after " + newton.iterations() + " iterations");
    }

    @Test
    void warmStartWorseThanZeroIsDropped() {
        double[][] matrix = SaddleFreeDirectionTest.withSpectrum(spectrum(false), 55);
        double[] gradient = SaddleFreeDirectionTest.gaussianVector(new SplittableRandom(56), N);
        double[] uphill = Vectors.scaled(10, gradient);
        ConjugateGradient solver = new ConjugateGradient(3, 1e-12, true);
        SymmetricOperator operator = SaddleFreeDirectionTest.operator(matrix);

        ConjugateGradient.Result fromUphill =
                solver.solve(operator, 0, gradient, uphill, new int[0]);
        ConjugateGradient.Result fromZero = solver.solve(operator, 0, gradient, null, new int[0]);

        assertEquals(fromZero.quadraticValue(), fromUphill.quadraticValue(), 1e-12);
        assertEquals(fromZero.products() + 1, fromUphill.products());
    }
}
