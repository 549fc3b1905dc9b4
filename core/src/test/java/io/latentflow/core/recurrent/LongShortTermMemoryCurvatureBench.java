package io.latentflow.core.recurrent;

import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.TaskBatch;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures what the LSTM's curvature products cost against one gradient, by hand rather than by the
 * test suite, on copying-task batches: {@code DELAY HIDDEN BATCH REPEATS}. Prints the median thread
 * CPU time of lossAndGradient, of making the curvature (its forward and backward passes), of H v
 * and of G v, after a warm-up, and each as a multiple of the gradient's.
 */
public final class LongShortTermMemoryCurvatureBench {
    private LongShortTermMemoryCurvatureBench() {}

    public static void main(String[] args) {
        int delay = Integer.parseInt(args[0]);
        int hidden = Integer.parseInt(args[1]);
        int batchSize = Integer.parseInt(args[2]);
        int repeats = Integer.parseInt(args[3]);
        CopyingMemoryTask task = new CopyingMemoryTask(delay, 1);
        LongShortTermMemory network =
                new LongShortTermMemory(
                        CopyingMemoryTask.INPUT_CLASSES,
                        hidden,
                        CopyingMemoryTask.OUTPUT_CLASSES,
                        1);
        int size = network.parameters().length;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        SplittableRandom random = new SplittableRandom(2);
        double[] gradient = new double[size];
        double[] product = new double[size];
        double[][] millis = new double[4][repeats];
        for (int r = -3; r < repeats; r++) {
            TaskBatch batch = task.batch((long) (r + 3) * batchSize, batchSize);
            double[] direction = new double[size];
            for (int i = 0; i < size; i++) {
                direction[i] = random.nextDouble(-1, 1);
            }
            long start = threads.getCurrentThreadCpuTime();
            network.lossAndGradient(batch.inputs(), batch.loss(), gradient, null);
            long gradientDone = threads.getCurrentThreadCpuTime();
            RecurrentCurvature curvature = network.curvature(batch.inputs(), batch.loss());
            long curvatureDone = threads.getCurrentThreadCpuTime();
            curvature.hessianTimes(direction, product);
            long hessianDone = threads.getCurrentThreadCpuTime();
            curvature.gaussNewtonTimes(direction, product);
            long gaussNewtonDone = threads.getCurrentThreadCpuTime();
            if (r >= 0) {
                millis[0][r] = (gradientDone - start) / 1e6;
                millis[1][r] = (curvatureDone - gradientDone) / 1e6;
                millis[2][r] = (hessianDone - curvatureDone) / 1e6;
                millis[3][r] = (gaussNewtonDone - hessianDone) / 1e6;
            }
        }
        double[] medians = new double[4];
        for (int i = 0; i < 4; i++) {
            Arrays.sort(millis[i]);
            medians[i] = millis[i][repeats / 2];
        }
        System.out.printf(
                Locale.ROOT,
                "lstm copying T=%d (%d steps) hidden %d batch %d, %d parameters, median of %d:%n",
                delay,
                task.sequenceLength(),
                hidden,
                batchSize,
                size,
                repeats);
        String[] names = {"lossAndGradient", "curvature (prepare)", "H v", "G v"};
        for (int i = 0; i < 4; i++) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-20s %8.2f ms  %.2f x gradient%n",
                    names[i],
                    medians[i],
                    medians[i] / medians[0]);
        }
    }
}
