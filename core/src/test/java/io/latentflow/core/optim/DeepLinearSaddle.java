package io.latentflow.core.optim;

import io.latentflow.core.nn.DenseLayer;
import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.OutputActivation;
import io.latentflow.core.nn.SquaredError;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A two-layer linear network y = (x W1 + b1) W2 + b2 regressing t = x A + noise, started next to
 * its saddle W1 = W2 = 0, b1 = 0, b2 = mean(t). There the gradient vanishes and the Hessian's
 * coupling of W1 and W2 through the input-target covariance has eigenvalues of both signs. The
 * start perturbs the weights by 1e-4 and puts b2 0.5 away from the mean, so that the loss falls
 * along the positive-curvature directions while the escape directions are barely touched.
 */
final class DeepLinearSaddle {
    static final int WIDTH = 6;
    static final int ROWS = 64;

    final FeedForwardNetwork network;
    final INDArray input;
    final INDArray target;
    final double saddleLoss;

    DeepLinearSaddle(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        network =
                new FeedForwardNetwork(
                        new int[] {WIDTH, WIDTH, WIDTH},
                        1.0,
                        OutputActivation.IDENTITY,
                        DataType.DOUBLE);
        double[][] x = new double[ROWS][WIDTH];
        double[][] a = new double[WIDTH][WIDTH];
        for (double[] row : a) {
            for (int j = 0; j < WIDTH; j++) {
                row[j] = random.nextDouble(-1, 1);
            }
        }
        double[][] t = new double[ROWS][WIDTH];
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < WIDTH; j++) {
                x[r][j] = random.nextDouble(-1, 1) * Math.sqrt(3);
            }
            for (int j = 0; j < WIDTH; j++) {
                double sum = 0.1 * random.nextDouble(-1, 1);
                for (int k = 0; k < WIDTH; k++) {
                    sum += x[r][k] * a[k][j];
                }
                t[r][j] = sum;
            }
        }
        input = Nd4j.createFromArray(x);
        target = Nd4j.createFromArray(t);

        INDArray mean = target.mean(0);
        network.layer(1).bias().assign(mean);
        saddleLoss = new SquaredError().value(network.infer(input), target);

        for (int l = 0; l < 2; l++) {
            DenseLayer layer = network.layer(l);
            double[] values = new double[WIDTH * WIDTH];
            for (int i = 0; i < values.length; i++) {
                values[i] = 1e-4 * random.nextDouble(-1, 1);
            }
            layer.weight().assign(Nd4j.createFromArray(values).reshape(WIDTH, WIDTH));
        }
        network.layer(1).bias().addi(0.5);
    }

    NetworkObjective objective() {
        return new NetworkObjective(network, new SquaredError(), input, target, input, target);
    }

    /** One method's loss after each step, against steps and against cost. */
    record Curve(String name, List<double[]> points, List<HessianFreeStep> steps) {
        double finalLoss() {
            return points.get(points.size() - 1)[2];
        }

        double[][] byStep() {
            return series(0);
        }

        double[][] byCost() {
            return series(1);
        }

        private double[][] series(int column) {
            double[][] result = new double[2][points.size()];
            for (int i = 0; i < points.size(); i++) {
                result[0][i] = points.get(i)[column];
                result[1][i] = points.get(i)[2];
            }
            return result;
        }
    }

    /**
     * Runs a Hessian-free method. Cost counts gradient-equivalents: a gradient or curvature product
     * as one (a product costs about two passes, a gradient two), a loss as a half.
     */
    Curve runHessianFree(String name, HessianFreeConfig config, int steps) {
        CountingObjective objective = new CountingObjective(objective());
        SaddleFreeHessianFree optimizer = new SaddleFreeHessianFree(config);
        List<double[]> points = new ArrayList<>();
        List<HessianFreeStep> stats = new ArrayList<>();
        points.add(new double[] {0, 0, objective.delegate().loss()});
        long products = 0;
        for (int step = 1; step <= steps; step++) {
            HessianFreeStep result = optimizer.step(objective);
            products += result.curvatureProducts();
            stats.add(result);
            double cost = objective.gradients() + products + 0.5 * objective.losses();
            points.add(new double[] {step, cost, result.lossAfter()});
        }
        return new Curve(name, points, stats);
    }

    /** Runs full-batch gradient descent with a fixed learning rate. */
    Curve runGradientDescent(String name, double learningRate, int steps) {
        NetworkObjective objective = objective();
        List<double[]> points = new ArrayList<>();
        points.add(new double[] {0, 0, objective.loss()});
        for (int step = 1; step <= steps; step++) {
            INDArray gradient = objective.gradient();
            objective.parameters().subi(gradient.muli(learningRate));
            points.add(new double[] {step, step, objective.loss()});
        }
        return new Curve(name, points, List.of());
    }
}
