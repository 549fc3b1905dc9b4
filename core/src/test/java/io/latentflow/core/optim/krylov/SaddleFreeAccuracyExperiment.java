package io.latentflow.core.optim.krylov;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.HessianVectorProduct;
import io.latentflow.core.nn.OutputActivation;
import io.latentflow.core.nn.SquaredError;
import io.latentflow.core.plot.LossPlot;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures the relative error of (H^2 + lambda^2 I)^(-1/2) g against a Jacobi eigendecomposition as
 * a function of the number of Hessian-vector products, for the Hessian of a 6-12-8-4 LeakyReLU
 * network (224 parameters, indefinite) at three dampings and two quadrature tolerances. Prints a
 * table and writes a PNG into the folder given as the only argument.
 */
public final class SaddleFreeAccuracyExperiment {
    private SaddleFreeAccuracyExperiment() {}

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "target/sfhf");
        SplittableRandom random = new SplittableRandom(45);
        FeedForwardNetwork network =
                new FeedForwardNetwork(
                        new int[] {6, 12, 8, 4}, 0.2, OutputActivation.IDENTITY, DataType.DOUBLE);
        network.initializeUniform(new SplittableRandom(46));
        int parameters = Math.toIntExact(network.parameterCount());
        INDArray input = Nd4j.create(DataType.DOUBLE, 16, 6);
        INDArray target = Nd4j.create(DataType.DOUBLE, 16, 4);
        for (int r = 0; r < 16; r++) {
            input.putRow(
                    r, Nd4j.createFromArray(SaddleFreeDirectionTest.gaussianVector(random, 6)));
            target.putRow(
                    r,
                    Nd4j.createFromArray(SaddleFreeDirectionTest.gaussianVector(random, 4))
                            .muli(2));
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
        double radius = Math.max(-eigen.smallest(), eigen.largest());
        long negative = java.util.Arrays.stream(eigen.values).filter(v -> v < 0).count();
        double[] gradient = product.gradient().toDoubleVector();
        System.out.printf(
                "6-12-8-4 LeakyReLU network, %d parameters, 16 rows: eigenvalues in [%.4g, %.4g],"
                        + " %d negative%n",
                parameters, eigen.smallest(), eigen.largest(), negative);

        int[] checkpoints = {2, 5, 10, 20, 40, 80, 160, 320, 640};
        Map<String, double[][]> series = new LinkedHashMap<>();
        System.out.printf("%-34s %6s", "damping / radius, quadrature tol", "shifts");
        for (int k : checkpoints) {
            System.out.printf(" %9s", (2 * k) + " Hv");
        }
        System.out.printf(" %9s %9s%n", "final", "Hv used");
        for (double quadratureTolerance : new double[] {1e-4, 1e-8}) {
            for (double relativeDamping : new double[] {1e-1, 1e-2, 1e-3}) {
                double damping = relativeDamping * radius;
                double[] expected =
                        eigen.apply(
                                value -> 1 / Math.sqrt(value * value + damping * damping),
                                gradient);
                SaddleFreeDirection.Result result =
                        new SaddleFreeDirection(quadratureTolerance, 1e-15, 640)
                                .solve(hessian, gradient, damping, 0, 1.5 * radius, checkpoints);
                String name =
                        String.format(
                                "lambda %.0e rho, tol %.0e", relativeDamping, quadratureTolerance);
                System.out.printf("%-34s %6d", name, result.shifts());
                double[][] points = new double[2][result.snapshots().size()];
                for (int s = 0; s < result.snapshots().size(); s++) {
                    MultiShiftConjugateGradient.Snapshot snapshot = result.snapshots().get(s);
                    double error =
                            SaddleFreeDirectionTest.relativeError(expected, snapshot.solution());
                    points[0][s] = 2 * snapshot.iteration();
                    points[1][s] = error;
                    System.out.printf(" %9.2e", error);
                }
                for (int s = result.snapshots().size(); s < checkpoints.length; s++) {
                    System.out.printf(" %9s", "-");
                }
                double finalError =
                        SaddleFreeDirectionTest.relativeError(expected, result.direction());
                System.out.printf(" %9.2e %9d%n", finalError, result.hessianProducts());
                series.put(name, points);
            }
        }
        LossPlot.writePngLogScale(
                folder.resolve("saddle_free_accuracy.png"),
                "Relative error of (H^2 + lambda^2)^(-1/2) g, 224-parameter network Hessian",
                "Hessian-vector products",
                "relative error against eigendecomposition",
                series,
                900,
                560);
        System.out.println("wrote " + folder.resolve("saddle_free_accuracy.png"));
    }
}
