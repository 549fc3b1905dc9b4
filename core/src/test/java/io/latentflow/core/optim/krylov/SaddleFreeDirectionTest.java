package io.latentflow.core.optim.krylov;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.HessianVectorProduct;
import io.latentflow.core.nn.OutputActivation;
import io.latentflow.core.nn.SquaredError;
import io.latentflow.core.recurrent.RecurrentCurvature;
import io.latentflow.core.recurrent.SequenceBatch;
import io.latentflow.core.recurrent.SoftmaxCrossEntropy;
import io.latentflow.core.recurrent.TimeStepMask;
import io.latentflow.core.recurrent.UnitaryEvolutionRnn;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SaddleFreeDirectionTest {
    static double[] gaussianVector(SplittableRandom random, int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextDouble(-1, 1);
        }
        return values;
    }

    static double[][] times(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < n; j++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    static SymmetricOperator operator(double[][] matrix) {
        return x -> {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Vectors.dot(matrix[i], x);
            }
            return y;
        };
    }

    /** Q diag(eigenvalues) Q^T with Q the eigenvectors of a random symmetric matrix. */
    static double[][] withSpectrum(double[] eigenvalues, long seed) {
        int n = eigenvalues.length;
        SplittableRandom random = new SplittableRandom(seed);
        double[][] symmetric = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                symmetric[i][j] = symmetric[j][i] = random.nextDouble(-1, 1);
            }
        }
        double[][] q = new JacobiEigenvalues(symmetric).vectors;
        double[][] result = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    result[i][j] += q[i][k] * eigenvalues[k] * q[j][k];
                }
            }
        }
        return result;
    }

    static double relativeError(double[] expected, double[] actual) {
        double[] difference = expected.clone();
        Vectors.addScaled(difference, -1, actual);
        return Vectors.norm(difference) / Vectors.norm(expected);
    }

    @Test
    void quadratureMeetsItsToleranceAcrossTheInterval() {
        double[][] intervals = {{1e-3, 1e3}, {2, 2}, {1e-8, 1}};
        for (double tolerance : new double[] {1e-4, 1e-8}) {
            for (double[] interval : intervals) {
                InverseSquareRootQuadrature quadrature =
                        InverseSquareRootQuadrature.forInterval(
                                interval[0], interval[1], tolerance);
                double ratio = interval[1] / interval[0];
                for (int i = 0; i <= 2000; i++) {
                    double a = interval[0] * Math.pow(ratio, i / 2000.0);
                    double error = Math.abs(quadrature.evaluate(a) * Math.sqrt(a) - 1);
                    assertTrue(
                            error <= tolerance,
                            "relative error "
                                    + error
                                    + " at a = "
                                    + a
                                    + ", tolerance "
                                    + tolerance);
                }
            }
        }
    }

    @Test
    void jacobiReferenceReconstructsItsMatrix() {
        double[][] matrix = withSpectrum(new double[] {-3, -0.5, 0.1, 2, 7}, 41);
        JacobiEigenvalues eigen = new JacobiEigenvalues(matrix);
        double[] b = {1, -2, 0.5, 3, -1};
        double[] direct = operator(matrix).times(b);
        double[] reconstructed = eigen.apply(value -> value, b);
        assertTrue(relativeError(direct, reconstructed) < 1e-13);
        assertEquals(-3, eigen.smallest(), 1e-13);
        assertEquals(7, eigen.largest(), 1e-13);
    }

    @Test
    void eachShiftedSystemIsSolvedAsIfAlone() {
        int n = 40;
        SplittableRandom random = new SplittableRandom(42);
        double[][] factor = new double[n][];
        for (int i = 0; i < n; i++) {
            factor[i] = gaussianVector(random, n);
        }
        double[][] transposed = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                transposed[i][j] = factor[j][i];
            }
        }
        double[][] spd = times(transposed, factor);
        for (int i = 0; i < n; i++) {
            spd[i][i] += 0.05;
        }
        JacobiEigenvalues eigen = new JacobiEigenvalues(spd);
        double[] b = gaussianVector(random, n);
        double[] shifts = {0.5, 0, 2, 30};
        MultiShiftConjugateGradient solver = new MultiShiftConjugateGradient(1e-13, 1000);

        for (int j = 0; j < shifts.length; j++) {
            double[] weights = new double[shifts.length];
            weights[j] = 1;
            double shift = shifts[j] + 0.01;
            double[] solution =
                    solver.solve(operator(spd), b, 0.01, shifts, weights, new int[0]).solution();
            double[] expected = eigen.apply(value -> 1 / (value + shift), b);
            double error = relativeError(expected, solution);
            assertTrue(error < 1e-10, "shift " + shift + ": relative error " + error);
        }
    }

    @Test
    void inverseAbsoluteHessianOfIndefiniteMatrixMatchesEigendecomposition() {
        int n = 80;
        double[] eigenvalues = new double[n];
        for (int i = 0; i < n; i++) {
            double magnitude = 0.01 * Math.pow(1000, (i / 2) / (n / 2 - 1.0));
            eigenvalues[i] = i % 2 == 0 ? magnitude : -1.3 * magnitude;
        }
        double[][] hessian = withSpectrum(eigenvalues, 43);
        JacobiEigenvalues eigen = new JacobiEigenvalues(hessian);
        double[] gradient = gaussianVector(new SplittableRandom(44), n);

        SaddleFreeDirection.Result result =
                new SaddleFreeDirection(1e-9, 1e-11, 5000)
                        .solve(operator(hessian), gradient, 0, 0.009, 14, new int[0]);
        double[] expected = eigen.apply(value -> 1 / Math.abs(value), gradient);
        double[] newton = eigen.apply(value -> 1 / value, gradient);

        double error = relativeError(expected, result.direction());
        assertTrue(result.converged());
        assertTrue(error < 1e-6, "relative error " + error);
        // The Newton direction is far from it: the test would notice a sign left unflipped.
        assertTrue(relativeError(expected, newton) > 0.5);
    }

    @Test
    void dampedSaddleFreeDirectionOfNetworkHessianMatchesEigendecomposition() {
        SplittableRandom random = new SplittableRandom(45);
        FeedForwardNetwork network =
                new FeedForwardNetwork(
                        new int[] {6, 12, 8, 4}, 0.2, OutputActivation.IDENTITY, DataType.DOUBLE);
        network.initializeUniform(new SplittableRandom(46));
        int parameters = Math.toIntExact(network.parameterCount());
        INDArray input = Nd4j.createFromArray(new double[16][6]).assign(0);
        INDArray target = Nd4j.createFromArray(new double[16][4]);
        for (int r = 0; r < 16; r++) {
            input.putRow(r, Nd4j.createFromArray(gaussianVector(random, 6)));
            target.putRow(r, Nd4j.createFromArray(gaussianVector(random, 4)).muli(2));
        }
        HessianVectorProduct product =
                new HessianVectorProduct(network, new SquaredError(), input, target);
        SymmetricOperator hessian =
                x -> product.hessianTimes(Nd4j.createFromArray(x)).toDoubleVector();

        double[][] matrix = new double[parameters][];
        for (int i = 0; i < parameters; i++) {
            double[] unit = new double[parameters];
            unit[i] = 1;
            matrix[i] = hessian.times(unit);
        }
        JacobiEigenvalues eigen = new JacobiEigenvalues(matrix);
        assertTrue(
                eigen.smallest() < -0.01 * eigen.largest(),
                "the Hessian should be indefinite: " + eigen.smallest() + ", " + eigen.largest());

        double[] gradient = product.gradient().toDoubleVector();
        LanczosSpectrum.Estimate spectrum = LanczosSpectrum.estimate(hessian, gradient, 30);
        double damping = 0.01 * spectrum.spectralRadius();
        SaddleFreeDirection.Result result =
                new SaddleFreeDirection(1e-9, 1e-11, 5000)
                        .solve(
                                hessian,
                                gradient,
                                damping,
                                0,
                                1.5 * spectrum.spectralRadius(),
                                new int[0]);
        double[] expected =
                eigen.apply(value -> 1 / Math.sqrt(value * value + damping * damping), gradient);

        double error = relativeError(expected, result.direction());
        assertTrue(parameters > 200 && result.converged());
        assertTrue(error < 1e-6, "relative error " + error);
    }

    @Test
    void dampedSaddleFreeDirectionOfUnitaryEvolutionRnnHessianMatchesEigendecomposition() {
        // A uRNN of 123 parameters on a copying-like batch: cross-entropy at every step but one.
        int steps = 5;
        int batchSize = 4;
        UnitaryEvolutionRnn network = new UnitaryEvolutionRnn(2, 6, 3, 47);
        SplittableRandom random = new SplittableRandom(48);
        SequenceBatch batch =
                new SequenceBatch(
                        steps, batchSize, 2, gaussianVector(random, steps * batchSize * 2));
        int[] targets = new int[steps * batchSize];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = random.nextInt(3);
        }
        boolean[] mask = TimeStepMask.allSteps(steps);
        mask[1] = false;
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(targets, mask);
        RecurrentCurvature curvature = network.curvature(batch, loss);
        int parameters = network.parameters().length;
        SymmetricOperator hessian =
                x -> {
                    double[] product = new double[x.length];
                    curvature.hessianTimes(x, product);
                    return product;
                };

        // H column by column from the products, symmetrised against rounding.
        double[][] matrix = new double[parameters][];
        for (int i = 0; i < parameters; i++) {
            double[] unit = new double[parameters];
            unit[i] = 1;
            matrix[i] = hessian.times(unit);
        }
        for (int i = 0; i < parameters; i++) {
            for (int j = 0; j < i; j++) {
                assertEquals(matrix[i][j], matrix[j][i], 1e-10, "H is symmetric");
                matrix[i][j] = matrix[j][i] = 0.5 * (matrix[i][j] + matrix[j][i]);
            }
        }
        JacobiEigenvalues eigen = new JacobiEigenvalues(matrix);
        assertTrue(
                eigen.smallest() < -0.01 * eigen.largest(),
                "the Hessian should be indefinite: " + eigen.smallest() + ", " + eigen.largest());

        double[] gradient = new double[parameters];
        network.lossAndGradient(batch, loss, gradient);
        LanczosSpectrum.Estimate spectrum = LanczosSpectrum.estimate(hessian, gradient, 30);
        double damping = 0.01 * spectrum.spectralRadius();
        SaddleFreeDirection.Result result =
                new SaddleFreeDirection(1e-9, 1e-11, 5000)
                        .solve(
                                hessian,
                                gradient,
                                damping,
                                0,
                                1.5 * spectrum.spectralRadius(),
                                new int[0]);
        double[] expected =
                eigen.apply(value -> 1 / Math.sqrt(value * value + damping * damping), gradient);

        double error = relativeError(expected, result.direction());
        assertTrue(result.converged());
        assertTrue(error < 1e-6, "relative error " + error);
    }

    @Test
    void lanczosRitzValuesLieInsideTheSpectrumAndNearItsEnds() {
        int n = 60;
        double[] eigenvalues = new double[n];
        for (int i = 0; i < n; i++) {
            eigenvalues[i] = -2 + 7 * Math.pow(i / (n - 1.0), 2);
        }
        double[][] matrix = withSpectrum(eigenvalues, 47);
        LanczosSpectrum.Estimate estimate =
                LanczosSpectrum.estimate(
                        operator(matrix), gaussianVector(new SplittableRandom(48), n), 30);
        assertEquals(30, estimate.products());
        assertTrue(estimate.smallest() >= -2 - 1e-9 && estimate.largest() <= 5 + 1e-9);
        // The eigenvalues crowd together near -2, so that end converges more slowly than 5.
        assertEquals(-2, estimate.smallest(), 1e-2);
        assertEquals(5, estimate.largest(), 1e-6);
    }
}
