package io.latentflow.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.nn.CentralDifference;
import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.optim.krylov.JacobiEigenvalues;
import io.latentflow.core.optim.krylov.LanczosSpectrum;
import io.latentflow.core.optim.krylov.SaddleFreeDirection;
import io.latentflow.core.optim.krylov.SymmetricOperator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Float64 checks of {@link AdversarialCurvature}: H v against five-point central differences of the
 * player's gradient along v, the Gauss-Newton form u^T G v against sum |c| (J u)(J v) with J v from
 * central differences of the logits, symmetry, and the saddle-free direction through the products
 * against a full eigendecomposition of the Hessian built column by column.
 */
class AdversarialCurvatureTest {
    private static final double RELATIVE_TOLERANCE = 1e-7;

    /** Where the instance noise goes: nowhere, on the data part, or on the code part too. */
    enum Noise {
        NONE,
        DATA,
        DATA_AND_CODE
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (ModelKind kind : ModelKind.values()) {
            for (GeneratorCost cost : GeneratorCost.values()) {
                for (AdversarialPlayer player : AdversarialPlayer.values()) {
                    for (Noise noise : Noise.values()) {
                        if (noise == Noise.DATA_AND_CODE && kind != ModelKind.ALI) {
                            continue;
                        }
                        cases.add(Arguments.of(kind, cost, player, noise));
                    }
                }
            }
        }
        return cases.stream();
    }

    private static AdversarialModel model(ModelKind kind, GeneratorCost cost) {
        return AdversarialModel.initialize(AliGradientTest.small(kind, cost), 21, DataType.DOUBLE);
    }

    private static AdversarialBatch batch(AdversarialModel model, Noise noise) {
        AdversarialBatch batch = AliGradientTest.batch(model, noise != Noise.NONE);
        if (noise == Noise.DATA && model instanceof Ali) {
            int data = model.config().dataDim();
            batch.instanceNoise()
                    .get(
                            NDArrayIndex.all(),
                            NDArrayIndex.interval(data, model.discriminatorInputs()))
                    .assign(0);
        }
        if (batch.instanceNoise() != null) {
            batch.instanceNoise().muli(0.3);
        }
        return batch;
    }

    /** The networks whose parameters make up the player's flat vector, in its order. */
    private static List<FeedForwardNetwork> networks(
            AdversarialModel model, AdversarialPlayer player) {
        if (player == AdversarialPlayer.DISCRIMINATOR) {
            return List.of(model.network(AdversarialModel.DISCRIMINATOR));
        }
        if (model instanceof Ali) {
            return List.of(
                    model.network(AdversarialModel.GENERATOR),
                    model.network(AdversarialModel.ENCODER));
        }
        return List.of(model.network(AdversarialModel.GENERATOR));
    }

    private static INDArray playerParameters(AdversarialModel model, AdversarialPlayer player) {
        return Nd4j.concat(
                0,
                networks(model, player).stream()
                        .map(n -> n.parameters().dup())
                        .toArray(INDArray[]::new));
    }

    private static void setPlayerParameters(
            AdversarialModel model, AdversarialPlayer player, INDArray flat) {
        long offset = 0;
        for (FeedForwardNetwork network : networks(model, player)) {
            long count = network.parameterCount();
            network.parameters().assign(flat.get(NDArrayIndex.interval(offset, offset + count)));
            offset += count;
        }
    }

    private static INDArray uniformVector(SplittableRandom random, long length) {
        double[] values = new double[Math.toIntExact(length)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble(-1, 1);
        }
        return Nd4j.createFromArray(values);
    }

    /**
     * A kink of a LeakyReLU within the stencil's reach spoils a difference of gradients; the
     * stencil is taken along this fraction of the direction, which makes that a hundred times less
     * likely, and scaled back. Its rounding error, about 1e-16 / (1e-4 * 1e-2) of the gradient,
     * stays far below the tolerance.
     */
    private static final double DIRECTION_SCALE = 1e-2;

    /** Central difference along direction of what a fresh curvature at the moved point says. */
    private static INDArray alongDirection(
            AdversarialModel model,
            AdversarialBatch batch,
            AdversarialPlayer player,
            INDArray direction,
            java.util.function.Function<AdversarialCurvature, INDArray> quantity) {
        INDArray original = playerParameters(model, player);
        INDArray result =
                CentralDifference.alongDirection(
                        r -> {
                            setPlayerParameters(
                                    model,
                                    player,
                                    original.add(direction.mul(r * DIRECTION_SCALE)));
                            return quantity.apply(new AdversarialCurvature(model, batch, player));
                        });
        setPlayerParameters(model, player, original);
        return result.divi(DIRECTION_SCALE);
    }

    private static void assertClose(String what, INDArray expected, INDArray actual) {
        double scale = expected.amaxNumber().doubleValue();
        double error = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(
                error <= RELATIVE_TOLERANCE * scale + 1e-12,
                what + ": largest error " + error + " against largest entry " + scale);
    }

    @ParameterizedTest(name = "{0} {1} {2} noise {3}")
    @MethodSource("cases")
    void hessianTimesVectorMatchesCentralDifferencesOfTheGradient(
            ModelKind kind, GeneratorCost cost, AdversarialPlayer player, Noise noise) {
        AdversarialModel model = model(kind, cost);
        AdversarialBatch batch = batch(model, noise);
        AdversarialCurvature curvature = new AdversarialCurvature(model, batch, player);
        SplittableRandom random = new SplittableRandom(51);
        for (int trial = 0; trial < 2; trial++) {
            INDArray direction = uniformVector(random, curvature.parameterCount());
            INDArray analytic = curvature.hessianTimes(direction);
            INDArray numerical =
                    alongDirection(model, batch, player, direction, AdversarialCurvature::gradient);
            assertClose(kind + " " + cost + " " + player + " H v", numerical, analytic);
        }
        assertEquals(2, curvature.productCount());
    }

    @ParameterizedTest(name = "{0} {1} {2} noise {3}")
    @MethodSource("cases")
    void gaussNewtonFormIsJacobianProductsWeightedByTheAbsoluteLogitCurvature(
            ModelKind kind, GeneratorCost cost, AdversarialPlayer player, Noise noise) {
        AdversarialModel model = model(kind, cost);
        AdversarialBatch batch = batch(model, noise);
        AdversarialCurvature curvature = new AdversarialCurvature(model, batch, player);
        SplittableRandom random = new SplittableRandom(52);
        INDArray u = uniformVector(random, curvature.parameterCount());
        INDArray v = uniformVector(random, curvature.parameterCount());
        INDArray jacobianU = alongDirection(model, batch, player, u, AdversarialCurvature::logits);
        INDArray jacobianV = alongDirection(model, batch, player, v, AdversarialCurvature::logits);
        INDArray weights = curvature.logitCurvatureWeights();
        double expected = jacobianU.mul(weights).mul(jacobianV).sumNumber().doubleValue();
        double actual = Nd4j.getBlasWrapper().dot(u, curvature.gaussNewtonTimes(v));
        assertEquals(expected, actual, 1e-7 * Math.abs(expected) + 1e-12);
        double quadratic = Nd4j.getBlasWrapper().dot(v, curvature.gaussNewtonTimes(v));
        assertTrue(quadratic >= 0, "v^T G v = " + quadratic);
    }

    @ParameterizedTest(name = "{0} {1} {2} noise {3}")
    @MethodSource("cases")
    void hessianIsSymmetricAcrossPairsOfDirections(
            ModelKind kind, GeneratorCost cost, AdversarialPlayer player, Noise noise) {
        AdversarialModel model = model(kind, cost);
        AdversarialCurvature curvature =
                new AdversarialCurvature(model, batch(model, noise), player);
        SplittableRandom random = new SplittableRandom(53);
        for (int trial = 0; trial < 3; trial++) {
            INDArray u = uniformVector(random, curvature.parameterCount());
            INDArray v = uniformVector(random, curvature.parameterCount());
            double uHv = Nd4j.getBlasWrapper().dot(u, curvature.hessianTimes(v));
            double vHu = Nd4j.getBlasWrapper().dot(v, curvature.hessianTimes(u));
            assertEquals(uHv, vHu, 1e-12 * Math.abs(uHv) + 1e-14);
        }
    }

    @Test
    void gradientAgreesWithTheModelsOwnBackwardPass() {
        for (ModelKind kind : ModelKind.values()) {
            AdversarialModel model = model(kind, GeneratorCost.MINIMAX);
            AdversarialBatch batch = batch(model, Noise.DATA);
            AdversarialStepResult result = model.computeGradients(batch, GeneratorCost.MINIMAX);
            for (AdversarialPlayer player : AdversarialPlayer.values()) {
                INDArray expected =
                        Nd4j.concat(
                                0,
                                networks(model, player).stream()
                                        .map(n -> n.gradient().dup())
                                        .toArray(INDArray[]::new));
                AdversarialCurvature curvature = new AdversarialCurvature(model, batch, player);
                assertClose(kind + " " + player + " gradient", expected, curvature.gradient());
                double loss =
                        player == AdversarialPlayer.DISCRIMINATOR
                                ? result.discriminatorLoss()
                                : result.generatorLoss();
                assertEquals(loss, curvature.loss(), 1e-14);
            }
        }
    }

    @Test
    void aDirectionOfTheWrongLengthIsRejected() {
        AdversarialModel model = model(ModelKind.ALI, GeneratorCost.NON_SATURATING);
        AdversarialCurvature curvature =
                new AdversarialCurvature(
                        model, batch(model, Noise.NONE), AdversarialPlayer.GENERATOR);
        INDArray tooShort = Nd4j.zeros(DataType.DOUBLE, curvature.parameterCount() - 1);
        IllegalArgumentException error =
                assertThrows(
                        IllegalArgumentException.class, () -> curvature.hessianTimes(tooShort));
        assertTrue(
                error.getMessage().contains("GENERATOR direction must hold"), error.getMessage());
    }

    /**
     * The saddle-free direction (H^2 + lambda^2 I)^-1/2 g that {@link
     * io.latentflow.core.optim.SaddleFreeHessianFree} takes, solved through the products, against
     * the same function of a full eigendecomposition of H: for ALI's generator and encoder together
     * (187 parameters) under the minimax cost with instance noise on data and code, where H is
     * indefinite, and for the GAN's discriminator.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tinyPlayers")
    void saddleFreeDirectionThroughTheProductsMatchesTheEigendecomposition(
            ModelKind kind, AdversarialPlayer player) {
        AdversarialModel model = model(kind, GeneratorCost.MINIMAX);
        AdversarialCurvature curvature =
                new AdversarialCurvature(
                        model,
                        batch(
                                model,
                                Noise.DATA_AND_CODE.ordinal() > 0 && kind == ModelKind.ALI
                                        ? Noise.DATA_AND_CODE
                                        : Noise.DATA),
                        player);
        int parameters = Math.toIntExact(curvature.parameterCount());
        SymmetricOperator hessian =
                x -> curvature.hessianTimes(Nd4j.createFromArray(x)).toDoubleVector();
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

        double[] gradient = curvature.gradient().toDoubleVector();
        LanczosSpectrum.Estimate spectrum = LanczosSpectrum.estimate(hessian, gradient, 30);
        double damping = 0.05 * spectrum.spectralRadius();
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
        double[] newton = eigen.apply(value -> 1 / (value + damping), gradient);

        assertTrue(result.converged());
        assertTrue(parameters > 70, parameters + " parameters");
        double error = relativeError(expected, result.direction());
        assertTrue(error < 1e-6, "relative error " + error);
        assertTrue(relativeError(expected, newton) > 0.1, "Newton's direction should differ");
    }

    static Stream<Arguments> tinyPlayers() {
        return Stream.of(
                Arguments.of(ModelKind.ALI, AdversarialPlayer.GENERATOR),
                Arguments.of(ModelKind.GAN, AdversarialPlayer.GENERATOR),
                Arguments.of(ModelKind.GAN, AdversarialPlayer.DISCRIMINATOR));
    }

    private static double relativeError(double[] expected, double[] actual) {
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            difference += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            norm += expected[i] * expected[i];
        }
        return Math.sqrt(difference / norm);
    }
}
