package io.latentflow.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeedForwardNetworkTest {
    private static final int ROWS = 4;

    private static FeedForwardNetwork network(
            int[] widths, OutputActivation activation, DataType dataType, long seed) {
        FeedForwardNetwork network = new FeedForwardNetwork(widths, 0.2, activation, dataType);
        network.initializeUniform(new SplittableRandom(seed));
        return network;
    }

    private static INDArray uniform(SplittableRandom random, int rows, int columns) {
        double[][] values = new double[rows][columns];
        for (double[] row : values) {
            for (int c = 0; c < columns; c++) {
                row[c] = random.nextDouble(-1, 1);
            }
        }
        return Nd4j.createFromArray(values);
    }

    /** Loss sum(output * weights), whose gradient with respect to the output is weights. */
    private static double weightedOutputSum(
            FeedForwardNetwork network, INDArray input, INDArray weights) {
        return network.forward(input).mul(weights).sumNumber().doubleValue();
    }

    @Test
    void parameterGradientsOfLeakyReluSigmoidNetworkMatchCentralDifferences() {
        SplittableRandom random = new SplittableRandom(11);
        FeedForwardNetwork network =
                network(new int[] {6, 5, 5, 3}, OutputActivation.SIGMOID, DataType.DOUBLE, 1);
        INDArray input = uniform(random, ROWS, 6);
        INDArray outputWeights = uniform(random, ROWS, 3);

        network.forward(input);
        assertNull(network.backward(outputWeights, GradientTarget.PARAMETERS));
        INDArray analytic = network.gradient().dup();

        CentralDifference.assertGradientMatches(
                "parameter gradient",
                network.parameters(),
                analytic,
                () -> weightedOutputSum(network, input, outputWeights));
    }

    @Test
    void inputGradientOfLeakyReluSigmoidNetworkMatchesCentralDifferences() {
        SplittableRandom random = new SplittableRandom(12);
        FeedForwardNetwork network =
                network(new int[] {6, 5, 5, 3}, OutputActivation.SIGMOID, DataType.DOUBLE, 2);
        INDArray input = uniform(random, ROWS, 6);
        INDArray outputWeights = uniform(random, ROWS, 3);

        network.forward(input);
        INDArray analytic = network.backward(outputWeights, GradientTarget.INPUT).dup();

        INDArray flatInput = input.reshape(-1);
        CentralDifference.assertGradientMatches(
                "input gradient",
                flatInput,
                analytic.reshape(-1),
                () -> weightedOutputSum(network, input, outputWeights));
    }

    @Test
    void singleDenseLayerWithIdentityOutputHasExactAffineGradients() {
        SplittableRandom random = new SplittableRandom(13);
        FeedForwardNetwork network =
                network(new int[] {4, 2}, OutputActivation.IDENTITY, DataType.DOUBLE, 3);
        INDArray input = uniform(random, ROWS, 4);
        INDArray outputWeights = uniform(random, ROWS, 2);

        network.forward(input);
        INDArray inputGradient =
                network.backward(outputWeights, GradientTarget.PARAMETERS_AND_INPUT);

        // For y = x W + b and loss sum(y * R): dW = x^T R, db = column sums of R, dx = R W^T.
        DenseLayer layer = network.layer(0);
        assertArrayEquals(
                input.transpose().mmul(outputWeights).toDoubleMatrix(),
                layer.weightGradient().toDoubleMatrix());
        assertArrayEquals(
                outputWeights.sum(0).toDoubleVector(),
                layer.biasGradient().toDoubleVector(),
                1e-15);
        assertArrayEquals(
                outputWeights.mmul(layer.weight().transpose()).toDoubleMatrix(),
                inputGradient.toDoubleMatrix());
    }

    @Test
    void layerViewsAliasTheFlatParameterAndGradientVectors() {
        for (DataType dataType : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            FeedForwardNetwork network =
                    network(new int[] {3, 4, 2}, OutputActivation.IDENTITY, dataType, 4);
            DenseLayer second = network.layer(1);
            long secondOffset = DenseLayer.parameterCount(3, 4);

            assertTrue(second.weight().isView() && second.bias().isView());

            network.parameters().putScalar(secondOffset + 2 * 1 + 1, 42.0);
            assertEquals(42.0, second.weight().getDouble(1, 1));

            second.bias().putScalar(1, -7.0);
            assertEquals(-7.0, network.parameters().getDouble(secondOffset + 4 * 2 + 1));

            second.weightGradient().putScalar(3, 0, 5.0);
            assertEquals(5.0, network.gradient().getDouble(secondOffset + 3 * 2));

            network.forward(Nd4j.ones(dataType, 2, 3));
            network.backward(Nd4j.ones(dataType, 2, 2), GradientTarget.PARAMETERS);
            assertEquals(
                    network.layer(0).biasGradient().getDouble(2),
                    network.gradient().getDouble(3 * 4 + 2));
        }
    }

    @Test
    void initialParametersLieWithinTheFanInBoundsAndFollowTheSeed() {
        FeedForwardNetwork first =
                network(new int[] {16, 9, 4}, OutputActivation.IDENTITY, DataType.DOUBLE, 5);
        FeedForwardNetwork same =
                network(new int[] {16, 9, 4}, OutputActivation.IDENTITY, DataType.DOUBLE, 5);
        FeedForwardNetwork other =
                network(new int[] {16, 9, 4}, OutputActivation.IDENTITY, DataType.DOUBLE, 6);

        assertEquals(1.0 / 4, first.layer(0).weight().amaxNumber().doubleValue(), 0.05);
        assertTrue(first.layer(0).bias().amaxNumber().doubleValue() < 1.0 / 4);
        assertEquals(1.0 / 3, first.layer(1).weight().amaxNumber().doubleValue(), 0.05);
        assertTrue(first.layer(1).bias().amaxNumber().doubleValue() < 1.0 / 3);
        assertEquals(first.parameters(), same.parameters());
        assertNotEquals(first.parameters(), other.parameters());
    }

    @Test
    void inferMatchesForwardAndLeavesTheTrainingActivationsAlone() {
        SplittableRandom random = new SplittableRandom(14);
        FeedForwardNetwork network =
                network(new int[] {6, 5, 3}, OutputActivation.SIGMOID, DataType.DOUBLE, 7);
        INDArray input = uniform(random, ROWS, 6);
        INDArray outputWeights = uniform(random, ROWS, 3);

        INDArray trained = network.forward(input).dup();
        network.backward(outputWeights, GradientTarget.PARAMETERS);
        INDArray gradientBefore = network.gradient().dup();

        INDArray inferred = network.infer(uniform(random, 7, 6));
        network.infer(input);
        network.backward(outputWeights, GradientTarget.PARAMETERS);

        assertEquals(7, inferred.rows());
        assertEquals(trained, network.infer(input));
        assertEquals(gradientBefore, network.gradient());
    }

    @Test
    void inputOfTheWrongWidthIsRejectedBeforeAnyNativeCall() {
        FeedForwardNetwork network =
                network(new int[] {6, 5, 3}, OutputActivation.SIGMOID, DataType.FLOAT, 8);
        assertThrows(
                IllegalArgumentException.class,
                () -> network.forward(Nd4j.zeros(DataType.FLOAT, 2, 5)));
        assertThrows(
                IllegalArgumentException.class,
                () -> network.forward(Nd4j.zeros(DataType.DOUBLE, 2, 6)));
    }

    @Test
    void theParameterHashFollowsEveryWeightAndIsTheSameForTheSameSeed() {
        int[] widths = {6, 4, 6};
        FeedForwardNetwork first =
                new FeedForwardNetwork(widths, 0.2, OutputActivation.SIGMOID, DataType.FLOAT);
        FeedForwardNetwork second =
                new FeedForwardNetwork(widths, 0.2, OutputActivation.SIGMOID, DataType.FLOAT);
        first.initializeUniform(new SplittableRandom(5));
        second.initializeUniform(new SplittableRandom(5));
        String hash = first.parameterHash();

        assertEquals(hash, second.parameterHash());
        assertEquals(64, hash.length());
        long last = second.parameterCount() - 1;
        second.parameters().putScalar(last, second.parameters().getFloat(last) + 1e-6f);
        assertNotEquals(hash, second.parameterHash());
    }
}
