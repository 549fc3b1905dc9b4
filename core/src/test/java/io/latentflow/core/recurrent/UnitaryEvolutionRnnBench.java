package io.latentflow.core.recurrent;

import io.latentflow.core.optim.RmsProp;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.TaskBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures the unitary evolution RNN by hand (not part of the test suite):
 *
 * <ul>
 *   <li>{@code step T...}: milliseconds per BPTT step (forward, backward and an RMSProp update) at
 *       hidden 128, batch 20 on the copying task of delay T - 20, after a JIT warm-up;
 *   <li>{@code step-hidden HIDDEN T...}: the same at another hidden size, with fewer steps where T
 *       * HIDDEN exceeds 100 * 512, for the comparison with core/src/test/python/urnn_bench.py;
 *   <li>{@code step-design DESIGN HIDDEN T...}: the same with the recurrence design forced to
 *       {@link RecurrenceDesign} DESIGN ({@code FACTOR_LOOPS} or {@code DENSE_MATRIX}) instead of
 *       the one chosen by size;
 *   <li>{@code step-threads THREADS HIDDEN T...}: the factor loops with a batch's examples on
 *       THREADS threads ({@link UnitaryEvolutionRnn#useThreads}); compare the wall times, as the
 *       calling thread's CPU time leaves the other threads out;
 *   <li>{@code threads-ab THREADS HIDDEN T PAIRS}: two networks of the same seed in one process,
 *       one on a single thread and one on THREADS, alternated BPTT step by step (forward, backward,
 *       RMSProp update) so that load changes reach both alike; prints the median wall time of each
 *       and the median of the pairs' ratios;
 *   <li>{@code designs T HIDDEN...}: at each hidden size, the thread CPU time of forward and
 *       backward (no update) at batch 20 on copying with sequences of T steps, for three networks
 *       called in turn in one process so that load changes reach all of them alike: factor loops
 *       keeping the chain's intermediate vectors, factor loops recomputing them, and the dense
 *       matrix; 15 rounds after 3 warm-up, minimum and median. This chose {@link
 *       RecurrenceDesign#DENSE_UP_TO_HIDDEN_SIZE};
 *   <li>{@code copy T ITERATIONS [SEED [CSV]]}: trains on the copying task of delay T with the
 *       paper's settings (hidden 128, batch 20, RMSProp lr 1e-3, decay 0.9) and prints the mean
 *       cost of every 50 iterations against the baseline 10 log 8 / (T + 20); with CSV, also writes
 *       every iteration's cost there (columns iteration, cost), for the comparison with
 *       core/src/test/python/urnn_bench.py's {@code train};
 *   <li>{@code projection ROWS}: the output projection y = U [Re h; Im h] + c over ROWS = T * B
 *       rows at hidden 128 and 9 outputs, as the network's plain loop and as an ND4J gemm including
 *       the copies between Java arrays and ND4J.
 * </ul>
 */
public final class UnitaryEvolutionRnnBench {
    private static final int HIDDEN = 128;
    private static final int BATCH = 20;

    private UnitaryEvolutionRnnBench() {}

    public static void main(String[] args) {
        if (args.length >= 2 && args[0].equals("step")) {
            for (int i = 1; i < args.length; i++) {
                stepTime(null, 1, HIDDEN, Integer.parseInt(args[i]), 30, 30);
            }
        } else if (args.length >= 3 && args[0].equals("step-hidden")) {
            stepTimes(null, 1, Integer.parseInt(args[1]), Arrays.copyOfRange(args, 2, args.length));
        } else if (args.length >= 4 && args[0].equals("step-design")) {
            stepTimes(
                    RecurrenceDesign.valueOf(args[1]),
                    1,
                    Integer.parseInt(args[2]),
                    Arrays.copyOfRange(args, 3, args.length));
        } else if (args.length >= 4 && args[0].equals("step-threads")) {
            stepTimes(
                    RecurrenceDesign.FACTOR_LOOPS,
                    Integer.parseInt(args[1]),
                    Integer.parseInt(args[2]),
                    Arrays.copyOfRange(args, 3, args.length));
        } else if (args.length == 5 && args[0].equals("threads-ab")) {
            compareThreads(
                    Integer.parseInt(args[1]),
                    Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
        } else if (args.length >= 3 && args[0].equals("designs")) {
            int length = Integer.parseInt(args[1]);
            for (int i = 2; i < args.length; i++) {
                compareDesigns(Integer.parseInt(args[i]), length, 15);
            }
        } else if (args.length >= 3 && args[0].equals("copy")) {
            long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
            Path csv = args.length > 4 ? Path.of(args[4]) : null;
            copy(Integer.parseInt(args[1]), Integer.parseInt(args[2]), seed, csv);
        } else if (args.length == 2 && args[0].equals("projection")) {
            projection(Integer.parseInt(args[1]));
        } else {
            System.err.println(
                    "usage: step T... | step-hidden HIDDEN T... | step-design DESIGN HIDDEN T..."
                            + " | step-threads THREADS HIDDEN T... | threads-ab THREADS HIDDEN T PAIRS"
                            + " | designs T HIDDEN... | copy T ITERATIONS [SEED [CSV]]"
                            + " | projection ROWS");
            System.exit(2);
        }
    }

    private static void stepTimes(
            RecurrenceDesign design, int threadCount, int hidden, String[] lengths) {
        for (String argument : lengths) {
            int length = Integer.parseInt(argument);
            boolean small = (long) length * hidden <= 100 * 512;
            stepTime(design, threadCount, hidden, length, small ? 10 : 3, small ? 10 : 5);
        }
    }

    private static void stepTime(
            RecurrenceDesign design,
            int threadCount,
            int hidden,
            int sequenceLength,
            int warmUp,
            int measured) {
        CopyingMemoryTask task = new CopyingMemoryTask(sequenceLength - 20, 1);
        UnitaryEvolutionRnn network =
                new UnitaryEvolutionRnn(
                        CopyingMemoryTask.INPUT_CLASSES,
                        hidden,
                        CopyingMemoryTask.OUTPUT_CLASSES,
                        1);
        if (design != null) {
            network.useDesign(design);
        }
        network.useThreads(threadCount);
        RmsProp optimizer = RmsProp.withPaperSettings(network.parameters().length);
        double[] gradient = new double[network.parameters().length];
        TaskBatch batch = task.batch(0, BATCH);
        for (int i = 0; i < warmUp; i++) {
            network.lossAndGradient(batch.inputs(), batch.loss(), gradient);
            optimizer.update(network.parameters(), gradient);
        }
        long[] times = new long[measured];
        long[] cpuTimes = new long[measured];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < measured; i++) {
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            network.lossAndGradient(batch.inputs(), batch.loss(), gradient);
            optimizer.update(network.parameters(), gradient);
            times[i] = System.nanoTime() - start;
            cpuTimes[i] = threads.getCurrentThreadCpuTime() - cpuStart;
        }
        Arrays.sort(times);
        Arrays.sort(cpuTimes);
        double mean = Arrays.stream(times).average().orElse(0) / 1e6;
        System.out.printf(
                Locale.ROOT,
                "%s threads=%d T=%d hidden=%d batch=%d: BPTT step mean %.2f ms, median %.2f ms, min %.2f ms;"
                        + " thread CPU time median %.2f ms, min %.2f ms (%d steps after %d"
                        + " warm-up)%n",
                network.design(),
                threadCount,
                sequenceLength,
                hidden,
                BATCH,
                mean,
                times[measured / 2] / 1e6,
                times[0] / 1e6,
                cpuTimes[measured / 2] / 1e6,
                cpuTimes[0] / 1e6,
                measured,
                warmUp);
    }

    private static void compareThreads(int threadCount, int hidden, int sequenceLength, int pairs) {
        TaskBatch batch = new CopyingMemoryTask(sequenceLength - 20, 1).batch(0, BATCH);
        UnitaryEvolutionRnn[] networks = new UnitaryEvolutionRnn[2];
        RmsProp[] optimizers = new RmsProp[2];
        for (int i = 0; i < 2; i++) {
            networks[i] =
                    new UnitaryEvolutionRnn(
                            CopyingMemoryTask.INPUT_CLASSES,
                            hidden,
                            CopyingMemoryTask.OUTPUT_CLASSES,
                            1);
            networks[i].useDesign(RecurrenceDesign.FACTOR_LOOPS);
            optimizers[i] = RmsProp.withPaperSettings(networks[i].parameters().length);
        }
        networks[1].useThreads(threadCount);
        double[] gradient = new double[networks[0].parameters().length];
        int warmUp = 3;
        double[][] times = new double[2][pairs];
        double[] ratios = new double[pairs];
        for (int pair = 0; pair < pairs + warmUp; pair++) {
            for (int i = 0; i < 2; i++) {
                long start = System.nanoTime();
                networks[i].lossAndGradient(batch.inputs(), batch.loss(), gradient);
                optimizers[i].update(networks[i].parameters(), gradient);
                if (pair >= warmUp) {
                    times[i][pair - warmUp] = (System.nanoTime() - start) / 1e6;
                }
            }
            if (pair >= warmUp) {
                ratios[pair - warmUp] = times[0][pair - warmUp] / times[1][pair - warmUp];
            }
        }
        if (!networks[0].parameterHash().equals(networks[1].parameterHash())) {
            throw new IllegalStateException("the two networks trained apart");
        }
        System.out.printf(
                Locale.ROOT,
                "hidden=%d T=%d batch=%d: one thread median %.2f ms, %d threads median %.2f ms,"
                        + " median of %d pairs' ratios %.2f (the same parameters at the end)%n",
                hidden,
                sequenceLength,
                BATCH,
                median(times[0]),
                threadCount,
                median(times[1]),
                pairs,
                median(ratios));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void compareDesigns(int hidden, int sequenceLength, int rounds) {
        TaskBatch batch = new CopyingMemoryTask(sequenceLength - 20, 1).batch(0, BATCH);
        String[] names = {"factor loops, kept", "factor loops, recomputed", "dense matrix"};
        UnitaryEvolutionRnn[] networks = new UnitaryEvolutionRnn[names.length];
        for (int i = 0; i < networks.length; i++) {
            networks[i] =
                    new UnitaryEvolutionRnn(
                            CopyingMemoryTask.INPUT_CLASSES,
                            hidden,
                            CopyingMemoryTask.OUTPUT_CLASSES,
                            1);
        }
        networks[0].useDesign(RecurrenceDesign.FACTOR_LOOPS);
        networks[1].useDesign(RecurrenceDesign.FACTOR_LOOPS);
        networks[1].keepTransformsUpTo(0);
        networks[2].useDesign(RecurrenceDesign.DENSE_MATRIX);
        double[] gradient = new double[networks[0].parameters().length];
        double[][] times = new double[names.length][rounds];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int warmUp = 3;
        for (int round = 0; round < rounds + warmUp; round++) {
            for (int i = 0; i < networks.length; i++) {
                long start = threads.getCurrentThreadCpuTime();
                networks[i].lossAndGradient(batch.inputs(), batch.loss(), gradient);
                if (round >= warmUp) {
                    times[i][round - warmUp] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
                }
            }
        }
        for (int i = 0; i < networks.length; i++) {
            Arrays.sort(times[i]);
            System.out.printf(
                    Locale.ROOT,
                    "hidden=%d T=%d batch=%d %s: thread CPU time min %.2f ms, median %.2f ms%n",
                    hidden,
                    sequenceLength,
                    BATCH,
                    names[i],
                    times[i][0],
                    times[i][rounds / 2]);
        }
    }

    private static void copy(int delay, int iterations, long seed, Path csv) {
        CopyingMemoryTask task = new CopyingMemoryTask(delay, seed);
        UnitaryEvolutionRnn network =
                new UnitaryEvolutionRnn(
                        CopyingMemoryTask.INPUT_CLASSES,
                        HIDDEN,
                        CopyingMemoryTask.OUTPUT_CLASSES,
                        seed);
        RmsProp optimizer = RmsProp.withPaperSettings(network.parameters().length);
        double[] gradient = new double[network.parameters().length];
        System.out.printf(
                Locale.ROOT,
                "copying T=%d hidden=%d batch=%d seed=%d baseline %.4f%n",
                delay,
                HIDDEN,
                BATCH,
                seed,
                task.baselineCost());
        double windowCost = 0;
        int firstBelow = -1;
        StringBuilder costs = new StringBuilder("iteration,cost\n");
        long start = System.nanoTime();
        for (int iteration = 1; iteration <= iterations; iteration++) {
            TaskBatch batch = task.batch((long) (iteration - 1) * BATCH, BATCH);
            double cost = network.lossAndGradient(batch.inputs(), batch.loss(), gradient);
            optimizer.update(network.parameters(), gradient);
            windowCost += cost;
            costs.append(iteration).append(',').append(cost).append('\n');
            if (firstBelow < 0 && cost < task.baselineCost()) {
                firstBelow = iteration;
            }
            if (iteration % 50 == 0) {
                System.out.printf(
                        Locale.ROOT,
                        "iteration %d cost %.5f (mean of last 50) elapsed %.1f s%s%n",
                        iteration,
                        windowCost / 50,
                        (System.nanoTime() - start) / 1e9,
                        windowCost / 50 < task.baselineCost() ? " below baseline" : "");
                windowCost = 0;
            }
        }
        double deviation =
                ExplicitRecurrentMatrix.unitarityDeviation(network.recurrentMatrix(), HIDDEN);
        System.out.printf(
                Locale.ROOT,
                "first single batch below baseline: iteration %d;"
                        + " max |W^H W - I| at the end %.3e%n",
                firstBelow,
                deviation);
        if (csv != null) {
            try {
                Files.writeString(csv, costs);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + csv, e);
            }
        }
    }

    private static void projection(int rows) {
        int width = 2 * HIDDEN;
        int outputs = CopyingMemoryTask.OUTPUT_CLASSES;
        SplittableRandom random = new SplittableRandom(1);
        double[] states = random.doubles((long) rows * width, -1, 1).toArray();
        double[] weights = random.doubles((long) outputs * width, -1, 1).toArray();
        double[] result = new double[rows * outputs];
        int repeats = 200;
        double checksum = 0;
        for (int round = 0; round < 2; round++) {
            long start = System.nanoTime();
            for (int repeat = 0; repeat < repeats; repeat++) {
                for (int r = 0; r < rows; r++) {
                    for (int o = 0; o < outputs; o++) {
                        double sum = 0;
                        for (int q = 0; q < width; q++) {
                            sum += weights[o * width + q] * states[r * width + q];
                        }
                        result[r * outputs + o] = sum;
                    }
                }
                checksum += result[repeat % result.length];
            }
            double loop = (System.nanoTime() - start) / 1e6 / repeats;

            start = System.nanoTime();
            INDArray u = Nd4j.createFromArray(weights).reshape(outputs, width);
            for (int repeat = 0; repeat < repeats; repeat++) {
                INDArray h = Nd4j.createFromArray(states).reshape(rows, width);
                double[] y = h.mmul(u.transpose()).data().asDouble();
                checksum += y[repeat % y.length];
            }
            double gemm = (System.nanoTime() - start) / 1e6 / repeats;
            if (round == 1) {
                System.out.printf(
                        Locale.ROOT,
                        "output projection %d x %d by %d x %d: loop %.3f ms, ND4J gemm with copies"
                                + " %.3f ms (checksum %.3f)%n",
                        rows,
                        width,
                        width,
                        outputs,
                        loop,
                        gemm,
                        checksum);
            }
        }
    }
}
