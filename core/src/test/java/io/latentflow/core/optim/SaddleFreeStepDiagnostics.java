package io.latentflow.core.optim;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.HessianVectorProduct;
import io.latentflow.core.nn.OutputActivation;
import io.latentflow.core.nn.SquaredError;
import io.latentflow.core.optim.krylov.ConjugateGradient;
import io.latentflow.core.optim.krylov.LanczosSpectrum;
import io.latentflow.core.optim.krylov.SaddleFreeDirection;
import io.latentflow.core.optim.krylov.SymmetricOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-step statistics of saddle-free Hessian-free on the reduced Fashion-MNIST autoencoder of
 * {@link AutoencoderComparison}, and, at every few steps, the saddle-free and Gauss-Newton
 * directions computed at the same point with the same damping: their quadratic-model changes under
 * H, under the Gauss-Newton matrix G and under the damped |H|, and the change of loss they obtain.
 *
 * <p>Arguments: number of steps, comparison interval, saddle-free inner iteration limit, width
 * divisor, number of images, seed.
 */
public final class SaddleFreeStepDiagnostics {
    private static final int CURVATURE_SLICES = 10;

    /**
     * Curvature products at one point: H and G on the curvature rows in float32, H and G on all
     * rows in float32, and H on the curvature rows in float64.
     */
    private record Products(
            SymmetricOperator hessian,
            SymmetricOperator gaussNewton,
            SymmetricOperator fullHessian,
            SymmetricOperator fullGaussNewton,
            SymmetricOperator doubleHessian) {}

    private SaddleFreeStepDiagnostics() {}

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int inner = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        int divisor = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int rows = args.length > 4 ? Integer.parseInt(args[4]) : 2000;
        long seed = args.length > 5 ? Long.parseLong(args[5]) : 7;

        IdxImages images =
                IdxReader.readImages(FashionMnist.trainingImages(FashionMnist.DEFAULT_DIRECTORY));
        float[][] pixels = new float[rows][];
        for (int i = 0; i < rows; i++) {
            pixels[i] = images.image(i);
        }
        INDArray data = Nd4j.createFromArray(pixels);
        int[] widths = AutoencoderComparison.widths(divisor);
        FeedForwardNetwork network = AutoencoderComparison.network(widths, seed);
        int curvatureRows = rows / CURVATURE_SLICES;
        INDArray first = data.get(NDArrayIndex.interval(0, curvatureRows)).dup();
        NetworkObjective objective =
                new NetworkObjective(network, new SquaredError(), data, data, first, first);
        HessianFreeConfig config =
                new HessianFreeConfig(
                        CurvatureMethod.SADDLE_FREE, 1.0, inner, 1e-4, 1e-4, 10, 0, 1e-2, 0.8, 20);
        SaddleFreeHessianFree optimizer = new SaddleFreeHessianFree(config);
        System.out.printf(
                "autoencoder %s, %d parameters, %d images, curvature %d rows, seed %d, %s%n",
                java.util.Arrays.toString(widths),
                network.parameterCount(),
                rows,
                curvatureRows,
                seed,
                config);

        for (int step = 0; step < steps; step++) {
            int from = (step % CURVATURE_SLICES) * curvatureRows;
            INDArray curvature = data.get(NDArrayIndex.interval(from, from + curvatureRows)).dup();
            objective.setBatches(data, data, curvature, curvature);
            if (step % every == 0) {
                compare(objective, network, data, curvature, optimizer.damping(), inner);
            }
            HessianFreeStep r = optimizer.step(objective);
            System.out.printf(
                    "step %d: loss %.4f -> %.4f, lambda %.3g -> %.3g, inner %d (chosen %d),"
                            + " products %d, predicted %.4g, actual %.4g, rho %.3f, length %.3g,"
                            + " smallest Ritz value %.4g%n",
                    r.iteration(),
                    r.lossBefore(),
                    r.lossAfter(),
                    r.damping(),
                    r.nextDamping(),
                    r.innerIterations(),
                    r.chosenIterate(),
                    r.curvatureProducts(),
                    r.predictedReduction(),
                    r.actualReduction(),
                    r.reductionRatio(),
                    r.stepLength(),
                    r.mostNegativeCurvature());
        }
    }

    private static void compare(
            NetworkObjective objective,
            FeedForwardNetwork network,
            INDArray data,
            INDArray curvatureRows,
            double damping,
            int inner) {
        double[] start = objective.parameters().toDoubleVector();
        double loss = objective.loss();
        double[] g = objective.gradient().toDoubleVector();
        SecondOrderObjective.Curvature curvature = objective.curvature();
        SymmetricOperator hessian =
                x ->
                        curvature
                                .hessianTimes(Nd4j.createFromArray(x).castTo(DataType.FLOAT))
                                .toDoubleVector();
        SymmetricOperator gaussNewton =
                x ->
                        curvature
                                .gaussNewtonTimes(Nd4j.createFromArray(x).castTo(DataType.FLOAT))
                                .toDoubleVector();
        HessianVectorProduct full =
                new HessianVectorProduct(network, new SquaredError(), data, data);
        FeedForwardNetwork twin =
                new FeedForwardNetwork(
                        network.widths(), 0.2, OutputActivation.SIGMOID, DataType.DOUBLE);
        twin.parameters().assign(Nd4j.createFromArray(start));
        INDArray doubleRows = curvatureRows.castTo(DataType.DOUBLE);
        HessianVectorProduct exact =
                new HessianVectorProduct(twin, new SquaredError(), doubleRows, doubleRows);
        SymmetricOperator fullHessian =
                x ->
                        full.hessianTimes(Nd4j.createFromArray(x).castTo(DataType.FLOAT))
                                .toDoubleVector();
        SymmetricOperator fullGaussNewton =
                x ->
                        full.gaussNewtonTimes(Nd4j.createFromArray(x).castTo(DataType.FLOAT))
                                .toDoubleVector();
        SymmetricOperator doubleHessian =
                x -> exact.hessianTimes(Nd4j.createFromArray(x)).toDoubleVector();
        Products products =
                new Products(hessian, gaussNewton, fullHessian, fullGaussNewton, doubleHessian);
        LanczosSpectrum.Estimate spectrum = LanczosSpectrum.estimate(hessian, g, 30);
        LanczosSpectrum.Estimate gnSpectrum = LanczosSpectrum.estimate(gaussNewton, g, 30);
        System.out.printf(
                "  point: loss %.4f, |g| %.4g, lambda %.3g, Ritz values of H (30 steps from g)"
                        + " [%.4g, %.4g], of G [%.4g, %.4g]%n",
                loss,
                norm(g),
                damping,
                spectrum.smallest(),
                spectrum.largest(),
                gnSpectrum.smallest(),
                gnSpectrum.largest());
        double ceiling =
                Math.max(2 * LanczosSpectrum.estimate(hessian, g, 10).spectralRadius(), 1e-300);
        for (int iterations : new int[] {inner, 4 * inner}) {
            // The products read the live weights, which the previous report moved.
            objective.parameters().assign(Nd4j.createFromArray(start).castTo(DataType.FLOAT));
            SaddleFreeDirection.Result sf =
                    new SaddleFreeDirection(1e-4, 1e-4, iterations)
                            .solve(hessian, g, damping, 0, Math.max(ceiling, damping), new int[0]);
            double[] d = scaled(sf.direction(), -1);
            report(
                    "saddle-free " + sf.iterations() + " it, " + sf.hessianProducts() + " Hv",
                    objective,
                    start,
                    loss,
                    g,
                    d,
                    products);
        }
        for (int iterations : new int[] {50}) {
            objective.parameters().assign(Nd4j.createFromArray(start).castTo(DataType.FLOAT));
            ConjugateGradient.Result gn =
                    new ConjugateGradient(iterations, 5e-4, true)
                            .solve(gaussNewton, damping, g, null, new int[0]);
            report(
                    "Gauss-Newton CG " + gn.iterations() + " it",
                    objective,
                    start,
                    loss,
                    g,
                    gn.solution(),
                    products);
        }
        objective.parameters().assign(Nd4j.createFromArray(start).castTo(DataType.FLOAT));
    }

    private static void report(
            String label,
            NetworkObjective objective,
            double[] start,
            double loss,
            double[] g,
            double[] d,
            Products products) {
        objective.parameters().assign(Nd4j.createFromArray(start).castTo(DataType.FLOAT));
        double slope = dot(g, d);
        double dHd = dot(d, products.hessian().times(d));
        double dGd = dot(d, products.gaussNewton().times(d));
        double fullHd = dot(d, products.fullHessian().times(d));
        double fullGd = dot(d, products.fullGaussNewton().times(d));
        double doubleHd = dot(d, products.doubleHessian().times(d));
        StringBuilder actual = new StringBuilder();
        double best = Double.POSITIVE_INFINITY;
        double bestLength = 0;
        for (double length : new double[] {4, 2, 1, 0.5, 0.25, 0.1}) {
            double change = lossAt(objective, start, d, length) - loss;
            actual.append(String.format(" %.3g:%.4g", length, change));
            if (change < best) {
                best = change;
                bestLength = length;
            }
        }
        System.out.printf(
                "    %-32s |d| %.4g, g.d %.4g, dHd %.4g (float64 %.4g, all rows %.4g), dGd %.4g"
                        + " (all rows %.4g), model H %.4g (all rows %.4g), G %.4g (all rows"
                        + " %.4g), |H| ~ %.4g; actual by length%s; best %.4g at %.3g%n",
                label,
                norm(d),
                slope,
                dHd,
                doubleHd,
                fullHd,
                dGd,
                fullGd,
                slope + 0.5 * dHd,
                slope + 0.5 * fullHd,
                slope + 0.5 * dGd,
                slope + 0.5 * fullGd,
                0.5 * slope,
                actual,
                best,
                bestLength);
    }

    private static double lossAt(
            NetworkObjective objective, double[] start, double[] d, double length) {
        double[] point = start.clone();
        for (int i = 0; i < point.length; i++) {
            point[i] += length * d[i];
        }
        objective.parameters().assign(Nd4j.createFromArray(point).castTo(DataType.FLOAT));
        return objective.loss();
    }

    private static double dot(double[] x, double[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * y[i];
        }
        return sum;
    }

    private static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    private static double[] scaled(double[] x, double factor) {
        double[] result = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            result[i] = factor * x[i];
        }
        return result;
    }
}
