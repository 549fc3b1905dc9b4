package io.latentflow.core.optim;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.SquaredError;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures the Java heap that one saddle-free Hessian-free step keeps live, for the Fashion-MNIST
 * autoencoder at several width divisors: every fourth curvature product triggers a full collection
 * and reads the heap in use, so garbage does not count, and the largest reading less the reading
 * before the step is reported with its ratio to the parameter count. The network and its
 * activations live off the heap in ND4J buffers; the heap holds the solver's vectors.
 *
 * <p>Arguments: width divisors, for example 16 8 4 1.
 */
public final class SaddleFreeMemoryExperiment {
    private SaddleFreeMemoryExperiment() {}

    public static void main(String[] args) throws Exception {
        IdxImages images =
                IdxReader.readImages(FashionMnist.trainingImages(FashionMnist.DEFAULT_DIRECTORY));
        int rows = 100;
        float[][] pixels = new float[rows][];
        for (int i = 0; i < rows; i++) {
            pixels[i] = images.image(i);
        }
        INDArray data = Nd4j.createFromArray(pixels);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf(
                "%-8s %12s %14s %14s %10s %8s%n",
                "divisor", "parameters", "live heap MB", "bytes/param", "products", "inner");
        for (String argument : args.length > 0 ? args : new String[] {"16", "8", "4"}) {
            int divisor = Integer.parseInt(argument);
            FeedForwardNetwork network =
                    AutoencoderComparison.network(AutoencoderComparison.widths(divisor), 7);
            NetworkObjective batches =
                    new NetworkObjective(network, new SquaredError(), data, data, data, data);
            long[] peak = {0};
            long[] calls = {0};
            SecondOrderObjective sampled =
                    new SecondOrderObjective() {
                        @Override
                        public INDArray parameters() {
                            return batches.parameters();
                        }

                        @Override
                        public double loss() {
                            return batches.loss();
                        }

                        @Override
                        public INDArray gradient() {
                            return batches.gradient();
                        }

                        @Override
                        public Curvature curvature() {
                            Curvature curvature = batches.curvature();
                            return new Curvature() {
                                @Override
                                public INDArray hessianTimes(INDArray direction) {
                                    sample();
                                    return curvature.hessianTimes(direction);
                                }

                                @Override
                                public INDArray gaussNewtonTimes(INDArray direction) {
                                    sample();
                                    return curvature.gaussNewtonTimes(direction);
                                }
                            };
                        }

                        private void sample() {
                            if (calls[0]++ % 4 == 0) {
                                System.gc();
                                peak[0] = Math.max(peak[0], memory.getHeapMemoryUsage().getUsed());
                            }
                        }
                    };
            SaddleFreeHessianFree optimizer =
                    new SaddleFreeHessianFree(
                            new HessianFreeConfig(
                                    CurvatureMethod.SADDLE_FREE,
                                    1.0,
                                    20,
                                    1e-12,
                                    1e-4,
                                    10,
                                    0,
                                    1e-2,
                                    0.8,
                                    20));
            System.gc();
            long before = memory.getHeapMemoryUsage().getUsed();
            HessianFreeStep step = optimizer.step(sampled);
            long live = peak[0] - before;
            System.out.printf(
                    "%-8d %12d %14.1f %14.1f %10d %8d%n",
                    divisor,
                    network.parameterCount(),
                    live / 1e6,
                    (double) live / network.parameterCount(),
                    step.curvatureProducts(),
                    step.innerIterations());
        }
    }
}
