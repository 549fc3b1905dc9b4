package io.latentflow.core.recurrent;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures one BPTT step of the LSTM and of the uRNN on pixel-like sequences (one input per step,
 * 10 classes at the last step) by hand, not part of the test suite: {@code MODEL HIDDEN T BATCH
 * REPEATS}, MODEL lstm or urnn. Prints the median thread CPU time per step after a warm-up, and the
 * time of a forward pass alone at batch 500 (the test-set evaluation) for the LSTM.
 */
public final class PixelSequenceBench {
    private PixelSequenceBench() {}

    public static void main(String[] args) {
        String model = args[0];
        int hidden = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        int batchSize = Integer.parseInt(args[3]);
        int repeats = Integer.parseInt(args[4]);
        RecurrentNetwork network =
                model.equals("lstm")
                        ? new LongShortTermMemory(1, hidden, 10, 1)
                        : RecurrentNetwork.of(new UnitaryEvolutionRnn(1, hidden, 10, 1));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        SplittableRandom random = new SplittableRandom(2);
        double[] gradient = new double[network.parameters().length];
        double[] millis = new double[repeats];
        for (int r = -2; r < repeats; r++) {
            SequenceBatch batch = batch(random, steps, batchSize);
            int[] targets = new int[steps * batchSize];
            for (int b = 0; b < batchSize; b++) {
                targets[(steps - 1) * batchSize + b] = random.nextInt(10);
            }
            long start = threads.getCurrentThreadCpuTime();
            network.lossAndGradient(
                    batch,
                    new SoftmaxCrossEntropy(targets, TimeStepMask.lastStep(steps)),
                    gradient,
                    new double[steps]);
            if (r >= 0) {
                millis[r] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
            }
        }
        Arrays.sort(millis);
        System.out.printf(
                Locale.ROOT,
                "%s hidden %d T %d batch %d: %d parameters, median %.1f ms per BPTT step (min %.1f,"
                        + " max %.1f)%n",
                model,
                hidden,
                steps,
                batchSize,
                network.parameters().length,
                millis[repeats / 2],
                millis[0],
                millis[repeats - 1]);
        for (int evaluationBatch : new int[] {20, 100, 500}) {
            SequenceBatch batch = batch(random, steps, evaluationBatch);
            network.outputs(batch);
            long start = threads.getCurrentThreadCpuTime();
            network.outputs(batch);
            double ms = (threads.getCurrentThreadCpuTime() - start) / 1e6;
            System.out.printf(
                    Locale.ROOT,
                    "  forward only at batch %d: %.1f ms, %.3f ms per example%n",
                    evaluationBatch,
                    ms,
                    ms / evaluationBatch);
        }
    }

    private static SequenceBatch batch(SplittableRandom random, int steps, int batchSize) {
        double[] inputs = new double[steps * batchSize];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = random.nextDouble() < 0.5 ? 0 : random.nextDouble();
        }
        return new SequenceBatch(steps, batchSize, 1, inputs);
    }
}
