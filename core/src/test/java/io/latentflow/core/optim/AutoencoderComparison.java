package io.latentflow.core.optim;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.OutputActivation;
import io.latentflow.core.nn.OutputLoss;
import io.latentflow.core.nn.SquaredError;
import io.latentflow.core.plot.LossPlot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A short comparison of SGD with momentum, Adam, Gauss-Newton Hessian-free and saddle-free
 * Hessian-free on the deep autoencoder of the Hessian-free literature, 784-1000-500-250-30 and
 * mirrored, with every hidden width divided by a factor, LeakyReLU 0.2 hidden units and sigmoid
 * outputs, squared error, on the first Fashion-MNIST training images.
 *
 * <p>Arguments: output folder, width divisor, number of images, budget in passes, seed, and the
 * methods to run as a comma-separated subset of sgd, adam, gn, sfhf (all by default), and SFHF's
 * inner iteration limit (25 by default). Cost is counted in passes over the images: a gradient on b
 * rows is b / N, a loss evaluation a third of that (one matrix product per layer of three), the
 * curvature set-up on c rows c / N, a Hessian product 2 c / N (six products per layer) and a
 * Gauss-Newton product 5 c / (3 N). The Hessian-free methods take their gradient on all N images
 * and their curvature on a tenth.
 */
public final class AutoencoderComparison {
    /** The curvature batch is the next tenth of the images at each step, as in Martens' runs. */
    private static final int CURVATURE_SLICES = 10;

    private AutoencoderComparison() {}

    record Point(double passes, double seconds, double loss) {}

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "target/sfhf");
        int divisor = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        double budget = args.length > 3 ? Double.parseDouble(args[3]) : 40;
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 7;
        int saddleFreeIterations = args.length > 6 ? Integer.parseInt(args[6]) : 25;
        List<String> methods = List.of((args.length > 5 ? args[5] : "sgd,adam,gn,sfhf").split(","));

        IdxImages images =
                IdxReader.readImages(FashionMnist.trainingImages(FashionMnist.DEFAULT_DIRECTORY));
        float[][] pixels = new float[rows][];
        for (int i = 0; i < rows; i++) {
            pixels[i] = images.image(i);
        }
        INDArray data = Nd4j.createFromArray(pixels);
        int[] widths = widths(divisor);
        System.out.printf(
                "autoencoder %s, %d parameters, %d images, budget %.0f passes, seed %d, float32%n",
                java.util.Arrays.toString(widths),
                new FeedForwardNetwork(widths, 0.2, OutputActivation.SIGMOID, DataType.FLOAT)
                        .parameterCount(),
                rows,
                budget,
                seed);

        Map<String, List<Point>> runs = new LinkedHashMap<>();
        if (methods.contains("sgd")) {
            runs.put(
                    "SGD momentum 0.9, lr 0.01",
                    firstOrder(widths, data, seed, budget, "momentum", 0.01));
        }
        if (methods.contains("adam")) {
            runs.put("Adam lr 1e-3", firstOrder(widths, data, seed, budget, "adam", 1e-3));
        }
        if (methods.contains("gn")) {
            runs.put(
                    "Gauss-Newton HF",
                    hessianFree(
                            widths,
                            data,
                            seed,
                            budget,
                            new HessianFreeConfig(
                                    CurvatureMethod.GAUSS_NEWTON,
                                    1.0,
                                    50,
                                    5e-4,
                                    1e-4,
                                    0,
                                    0.95,
                                    1e-2,
                                    0.8,
                                    20)));
        }
        if (methods.contains("sfhf")) {
            runs.put(
                    "SFHF",
                    hessianFree(
                            widths,
                            data,
                            seed,
                            budget,
                            new HessianFreeConfig(
                                    CurvatureMethod.SADDLE_FREE,
                                    1.0,
                                    saddleFreeIterations,
                                    1e-4,
                                    1e-4,
                                    10,
                                    0,
                                    1e-2,
                                    0.8,
                                    20)));
        }

        System.out.printf(
                "%-28s %8s %10s %10s %12s%n", "method", "passes", "seconds", "loss", "points");
        Map<String, double[][]> byPasses = new LinkedHashMap<>();
        Map<String, double[][]> bySeconds = new LinkedHashMap<>();
        for (Map.Entry<String, List<Point>> run : runs.entrySet()) {
            List<Point> points = run.getValue();
            Point last = points.get(points.size() - 1);
            System.out.printf(
                    "%-28s %8.1f %10.1f %10.4f %12d%n",
                    run.getKey(), last.passes(), last.seconds(), last.loss(), points.size());
            double[][] p = new double[2][points.size()];
            double[][] s = new double[2][points.size()];
            for (int i = 0; i < points.size(); i++) {
                p[0][i] = points.get(i).passes();
                s[0][i] = points.get(i).seconds();
                p[1][i] = s[1][i] = points.get(i).loss();
            }
            byPasses.put(run.getKey(), p);
            bySeconds.put(run.getKey(), s);
        }
        String title = "Fashion-MNIST autoencoder, widths / " + divisor + ", " + rows + " images";
        LossPlot.writePngLogScale(
                folder.resolve("autoencoder_by_passes.png"),
                title,
                "passes over the images",
                "training squared error",
                byPasses,
                900,
                560);
        LossPlot.writePngLogScale(
                folder.resolve("autoencoder_by_seconds.png"),
                title,
                "wall seconds",
                "training squared error",
                bySeconds,
                900,
                560);
        System.out.println("wrote " + folder.resolve("autoencoder_by_passes.png"));
    }

    static int[] widths(int divisor) {
        int[] hidden = {1000, 500, 250, 30};
        int[] widths = new int[2 * hidden.length + 1];
        widths[0] = 784;
        widths[widths.length - 1] = 784;
        for (int i = 0; i < hidden.length; i++) {
            int width = i == hidden.length - 1 ? 30 : Math.max(1, hidden[i] / divisor);
            widths[i + 1] = width;
            widths[widths.length - 2 - i] = width;
        }
        return widths;
    }

    static FeedForwardNetwork network(int[] widths, long seed) {
        FeedForwardNetwork network =
                new FeedForwardNetwork(widths, 0.2, OutputActivation.SIGMOID, DataType.FLOAT);
        network.initializeUniform(new SplittableRandom(seed));
        return network;
    }

    private static double fullLoss(FeedForwardNetwork network, INDArray data) {
        return new SquaredError().value(network.infer(data), data);
    }

    private static List<Point> firstOrder(
            int[] widths, INDArray data, long seed, double budget, String kind, double rate) {
        FeedForwardNetwork network = network(widths, seed);
        OutputLoss loss = new SquaredError();
        int rows = Math.toIntExact(data.rows());
        int batch = 100;
        SplittableRandom order = new SplittableRandom(seed + 1);
        Adam adam =
                new Adam(
                        rate,
                        0.9,
                        0.999,
                        Adam.DEFAULT_EPSILON,
                        network.parameterCount(),
                        DataType.FLOAT);
        INDArray velocity = Nd4j.zeros(DataType.FLOAT, network.parameterCount());
        List<Point> points = new ArrayList<>();
        points.add(new Point(0, 0, fullLoss(network, data)));
        double passes = 0;
        double seconds = 0;
        while (passes < budget) {
            int[] permutation = permutation(rows, order);
            long start = System.nanoTime();
            for (int b = 0; b + batch <= rows; b += batch) {
                INDArray rowsOf = data.get(NDArrayIndex.indices(slice(permutation, b, batch)));
                INDArray output = network.forward(rowsOf);
                network.backward(
                        loss.gradient(output, rowsOf),
                        io.latentflow.core.nn.GradientTarget.PARAMETERS);
                if (kind.equals("adam")) {
                    adam.update(network.parameters(), network.gradient());
                } else {
                    // v = 0.9 v - lr g; theta = theta + v
                    velocity.muli(0.9).subi(network.gradient().mul(rate));
                    network.parameters().addi(velocity);
                }
            }
            seconds += (System.nanoTime() - start) / 1e9;
            passes += 1;
            points.add(new Point(passes, seconds, fullLoss(network, data)));
        }
        return points;
    }

    private static List<Point> hessianFree(
            int[] widths, INDArray data, long seed, double budget, HessianFreeConfig config) {
        FeedForwardNetwork network = network(widths, seed);
        int rows = Math.toIntExact(data.rows());
        int curvatureRows = rows / CURVATURE_SLICES;
        INDArray firstCurvature = data.get(NDArrayIndex.interval(0, curvatureRows)).dup();
        NetworkObjective batches =
                new NetworkObjective(
                        network, new SquaredError(), data, data, firstCurvature, firstCurvature);
        CountingObjective objective = new CountingObjective(batches);
        SaddleFreeHessianFree optimizer = new SaddleFreeHessianFree(config);
        double productCost =
                (config.method() == CurvatureMethod.GAUSS_NEWTON ? 5.0 / 3 : 2.0)
                        / CURVATURE_SLICES;
        List<Point> points = new ArrayList<>();
        points.add(new Point(0, 0, fullLoss(network, data)));
        double passes = 0;
        double seconds = 0;
        int step = 0;
        while (passes < budget) {
            int from = (step % CURVATURE_SLICES) * curvatureRows;
            INDArray curvature = data.get(NDArrayIndex.interval(from, from + curvatureRows)).dup();
            batches.setBatches(data, data, curvature, curvature);
            long lossesBefore = objective.losses();
            long start = System.nanoTime();
            HessianFreeStep result = optimizer.step(objective);
            seconds += (System.nanoTime() - start) / 1e9;
            // One gradient, the curvature set-up on its slice, the products, and the losses.
            passes +=
                    1
                            + 1.0 / CURVATURE_SLICES
                            + result.curvatureProducts() * productCost
                            + (objective.losses() - lossesBefore) / 3.0;
            points.add(new Point(passes, seconds, fullLoss(network, data)));
            System.out.printf(
                    "  %s step %d: loss %.4f, damping %.3g, inner %d, products %d, rho %.3f,"
                            + " length %.3g, most negative curvature %.4g, %.1f s%n",
                    config.method(),
                    step,
                    result.lossAfter(),
                    result.damping(),
                    result.innerIterations(),
                    result.curvatureProducts(),
                    result.reductionRatio(),
                    result.stepLength(),
                    result.mostNegativeCurvature(),
                    seconds);
            step++;
        }
        return points;
    }

    private static int[] permutation(int size, SplittableRandom random) {
        int[] values = new int[size];
        for (int i = 0; i < size; i++) {
            values[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
        return values;
    }

    private static long[] slice(int[] values, int from, int count) {
        long[] result = new long[count];
        for (int i = 0; i < count; i++) {
            result[i] = values[from + i];
        }
        return result;
    }
}
