package io.latentflow.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HessianVectorProductTest {
    private static final int ROWS = 5;

    private static final double RELATIVE_TOLERANCE = 1e-7;

    private static INDArray uniform(SplittableRandom random, int rows, int columns) {
        double[][] values = new double[rows][columns];
        for (double[] row : values) {
            for (int c = 0; c < columns; c++) {
                row[c] = random.nextDouble(-1, 1);
            }
        }
        return Nd4j.createFromArray(values);
    }

    private static INDArray uniformVector(SplittableRandom random, long length) {
        double[] values = new double[Math.toIntExact(length)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble(-1, 1);
        }
        return Nd4j.createFromArray(values);
    }

    private static FeedForwardNetwork network(
            int[] widths, double slope, OutputActivation activation, long seed) {
        FeedForwardNetwork network =
                new FeedForwardNetwork(widths, slope, activation, DataType.DOUBLE);
        network.initializeUniform(new SplittableRandom(seed));
        return network;
    }

    /**
     * Five-point central difference along direction of a vector function of the parameters,
     * restoring the parameters afterwards.
     */
    private static INDArray directionalDifference(
            FeedForwardNetwork network, INDArray direction, UnaryOperator<INDArray> function) {
        INDArray original = network.parameters().dup();
        INDArray result =
                CentralDifference.alongDirection(
                        r -> {
                            network.parameters().assign(original.add(direction.mul(r)));
                            return function.apply(null);
                        });
        network.parameters().assign(original);
        return result;
    }

    private static void assertClose(String what, INDArray expected, INDArray actual) {
        double scale = expected.amaxNumber().doubleValue();
        double error = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(
                error <= RELATIVE_TOLERANCE * scale + 1e-12,
                what + ": largest error " + error + " against largest entry " + scale);
    }

    private static void assertHessianMatchesDifferencesOfGradients(
            FeedForwardNetwork network, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] widths = network.widths();
        INDArray input = uniform(random, ROWS, widths[0]);
        INDArray target = uniform(random, ROWS, widths[widths.length - 1]).muli(0.4).addi(0.5);
        OutputLoss loss = new SquaredError();
        HessianVectorProduct product = new HessianVectorProduct(network, loss, input, target);

        for (int trial = 0; trial < 3; trial++) {
            INDArray direction = uniformVector(random, network.parameterCount());
            INDArray analytic = product.hessianTimes(direction);
            INDArray numerical =
                    directionalDifference(
                            network,
                            direction,
                            ignored ->
                                    new HessianVectorProduct(network, loss, input, target)
                                            .gradient());
            assertClose("H v, trial " + trial, numerical, analytic);
        }
        assertEquals(3, product.productCount());
    }

    @Test
    void hessianTimesVectorOfLeakyReluSigmoidNetworkMatchesDifferencesOfGradients() {
        assertHessianMatchesDifferencesOfGradients(
                network(new int[] {4, 6, 5, 3}, 0.2, OutputActivation.SIGMOID, 21), 31);
    }

    @Test
    void hessianTimesVectorOfDeepLinearNetworkMatchesDifferencesOfGradients() {
        assertHessianMatchesDifferencesOfGradients(
                network(new int[] {3, 4, 4, 2}, 1.0, OutputActivation.IDENTITY, 22), 32);
    }

    @Test
    void gradientMatchesTheNetworksOwnBackwardPass() {
        SplittableRandom random = new SplittableRandom(33);
        FeedForwardNetwork network =
                network(new int[] {4, 6, 3}, 0.2, OutputActivation.SIGMOID, 23);
        INDArray input = uniform(random, ROWS, 4);
        INDArray target = uniform(random, ROWS, 3);
        OutputLoss loss = new SquaredError();

        HessianVectorProduct product = new HessianVectorProduct(network, loss, input, target);
        INDArray output = network.forward(input);
        network.backward(loss.gradient(output, target), GradientTarget.PARAMETERS);

        assertClose("gradient", network.gradient(), product.gradient());
        assertEquals(loss.value(output, target), product.loss(), 1e-15);
    }

    @Test
    void hessianIsSymmetricAcrossPairsOfDirections() {
        SplittableRandom random = new SplittableRandom(34);
        FeedForwardNetwork network =
                network(new int[] {5, 7, 4}, 0.1, OutputActivation.SIGMOID, 24);
        HessianVectorProduct product =
                new HessianVectorProduct(
                        network, new SquaredError(), uniform(random, 6, 5), uniform(random, 6, 4));
        for (int trial = 0; trial < 4; trial++) {
            INDArray u = uniformVector(random, network.parameterCount());
            INDArray v = uniformVector(random, network.parameterCount());
            double uHv = Nd4j.getBlasWrapper().dot(u, product.hessianTimes(v));
            double vHu = Nd4j.getBlasWrapper().dot(v, product.hessianTimes(u));
            assertEquals(uHv, vHu, 1e-12 * Math.abs(uHv) + 1e-14);
        }
    }

    @Test
    void gaussNewtonProductIsJacobianTransposeTimesLossCurvatureTimesJacobian() {
        SplittableRandom random = new SplittableRandom(35);
        FeedForwardNetwork network =
                network(new int[] {4, 6, 3}, 0.2, OutputActivation.SIGMOID, 25);
        INDArray input = uniform(random, ROWS, 4);
        INDArray target = uniform(random, ROWS, 3);
        OutputLoss loss = new SquaredError();
        HessianVectorProduct product = new HessianVectorProduct(network, loss, input, target);
        INDArray output = network.infer(input);

        for (int trial = 0; trial < 3; trial++) {
            INDArray direction = uniformVector(random, network.parameterCount());
            // J v by differences of outputs, then J^T u by the network's own backward pass.
            INDArray jacobianTimes =
                    directionalDifference(network, direction, ignored -> network.infer(input));
            network.forward(input);
            network.backward(
                    loss.curvatureTimes(output, target, jacobianTimes), GradientTarget.PARAMETERS);
            INDArray expected = network.gradient().dup();

            INDArray analytic = product.gaussNewtonTimes(direction);
            assertClose("G v, trial " + trial, expected, analytic);
            assertTrue(
                    Nd4j.getBlasWrapper().dot(direction, analytic) > 0, "v^T G v must be positive");
        }
    }

    @Test
    void directionOfTheWrongLengthIsRejected() {
        FeedForwardNetwork network =
                network(new int[] {2, 3, 1}, 0.2, OutputActivation.IDENTITY, 26);
        HessianVectorProduct product =
                new HessianVectorProduct(
                        network,
                        new SquaredError(),
                        Nd4j.zeros(DataType.DOUBLE, 2, 2),
                        Nd4j.zeros(DataType.DOUBLE, 2, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> product.hessianTimes(Nd4j.zeros(DataType.DOUBLE, 5)));
    }

    @Test
    void singlePrecisionProductsAgreeWithDoublePrecisionOnes() {
        SplittableRandom random = new SplittableRandom(36);
        FeedForwardNetwork wide = network(new int[] {8, 16, 8}, 0.2, OutputActivation.SIGMOID, 27);
        FeedForwardNetwork narrow =
                new FeedForwardNetwork(
                        new int[] {8, 16, 8}, 0.2, OutputActivation.SIGMOID, DataType.FLOAT);
        narrow.parameters().assign(wide.parameters().castTo(DataType.FLOAT));
        INDArray input = uniform(random, ROWS, 8);
        INDArray target = uniform(random, ROWS, 8).muli(0.4).addi(0.5);
        HessianVectorProduct exact =
                new HessianVectorProduct(wide, new SquaredError(), input, target);
        HessianVectorProduct single =
                new HessianVectorProduct(
                        narrow,
                        new SquaredError(),
                        input.castTo(DataType.FLOAT),
                        target.castTo(DataType.FLOAT));
        INDArray direction = uniformVector(random, wide.parameterCount());

        INDArray expected = exact.hessianTimes(direction);
        INDArray actual =
                single.hessianTimes(direction.castTo(DataType.FLOAT)).castTo(DataType.DOUBLE);
        double error = expected.sub(actual).norm2Number().doubleValue();
        double scale = expected.norm2Number().doubleValue();
        assertTrue(error < 1e-5 * scale, "relative error " + error / scale);
        assertEquals(
                DataType.FLOAT,
                single.gaussNewtonTimes(direction.castTo(DataType.FLOAT)).dataType());
    }
}
