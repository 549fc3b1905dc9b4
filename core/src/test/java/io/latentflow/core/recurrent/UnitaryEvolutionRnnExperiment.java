package io.latentflow.core.recurrent;

import io.latentflow.core.optim.RmsProp;
import io.latentflow.core.plot.LossPlot;
import io.latentflow.core.tasks.AddingTask;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.TaskBatch;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Trains the unitary evolution RNN on one of the paper's tasks with its settings (RMSProp, learning
 * rate 1e-3, decay 0.9, batch 20, fresh examples every iteration) and writes the training curve,
 * run by hand rather than by the test suite:
 *
 * <pre>
 * copying|adding T ITERATIONS HIDDEN SEED DIRECTORY [THREADS [INITIAL_MEAN_SQUARE]]
 * </pre>
 *
 * <p>For the copying task T is the delay (sequences of T + 20 steps), for the adding task the
 * sequence length. Every iteration's cost goes to {@code
 * DIRECTORY/<task>-T<T>-n<HIDDEN>-s<SEED>.csv} with, every {@link #EVALUATION_INTERVAL} iterations,
 * the cost on held-out examples (and for the copying task the accuracy on the 10 recalled symbols);
 * the curve with the task's baseline is drawn beside it as a PNG. Held-out examples are sequence
 * numbers from {@link #HELD_OUT_FIRST} on, which training, counting from 0, never reaches. THREADS
 * (default 1) runs each batch's examples on that many threads, with the same results.
 * INITIAL_MEAN_SQUARE (default 0, as PyTorch's RMSprop starts) is the value RMSProp's running mean
 * square starts at in every entry; the paper's authors' Theano code starts it at 1e-3, which keeps
 * the first steps of parameters with small gradients short instead of about sqrt(10) times the
 * learning rate. A non-zero value is added to the files' names as {@code -ms<value>}.
 */
public final class UnitaryEvolutionRnnExperiment {
    private static final int BATCH = 20;
    private static final int EVALUATION_INTERVAL = 100;
    private static final int HELD_OUT_BATCHES = 5;
    private static final long HELD_OUT_FIRST = 1L << 40;
    private static final int WINDOW = 50;

    private UnitaryEvolutionRnnExperiment() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 6
                || args.length > 8
                || !(args[0].equals("copying") || args[0].equals("adding"))) {
            System.err.println(
                    "usage: copying|adding T ITERATIONS HIDDEN SEED DIRECTORY"
                            + " [THREADS [INITIAL_MEAN_SQUARE]]");
            System.exit(2);
        }
        String taskName = args[0];
        int length = Integer.parseInt(args[1]);
        int iterations = Integer.parseInt(args[2]);
        int hidden = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        Path directory = Path.of(args[5]);
        boolean copying = taskName.equals("copying");

        LongFunction<TaskBatch> batches;
        CopyingMemoryTask copyingTask = null;
        UnitaryEvolutionRnn network;
        double baseline;
        if (copying) {
            CopyingMemoryTask task = new CopyingMemoryTask(length, seed);
            copyingTask = task;
            batches = first -> task.batch(first, BATCH);
            network =
                    new UnitaryEvolutionRnn(
                            CopyingMemoryTask.INPUT_CLASSES,
                            hidden,
                            CopyingMemoryTask.OUTPUT_CLASSES,
                            seed);
            baseline = task.baselineCost();
        } else {
            AddingTask task = new AddingTask(length, seed);
            batches = first -> task.batch(first, BATCH);
            network = new UnitaryEvolutionRnn(AddingTask.INPUT_CHANNELS, hidden, 1, seed);
            baseline = AddingTask.BASELINE_MSE;
        }
        network.useThreads(args.length > 6 ? Integer.parseInt(args[6]) : 1);
        double initialMeanSquare = args.length > 7 ? Double.parseDouble(args[7]) : 0;
        String name =
                String.format(Locale.ROOT, "%s-T%d-n%d-s%d", taskName, length, hidden, seed)
                        + (initialMeanSquare == 0 ? "" : "-ms" + args[7]);
        Files.createDirectories(directory);
        System.out.printf(
                Locale.ROOT,
                "%s: T=%d hidden=%d batch=%d seed=%d RMSProp lr=%.0e decay=%.1f initial mean"
                        + " square %s, baseline %.5f, %d parameters%n",
                taskName,
                length,
                hidden,
                BATCH,
                seed,
                RmsProp.DEFAULT_LEARNING_RATE,
                RmsProp.DEFAULT_DECAY,
                initialMeanSquare,
                baseline,
                network.parameters().length);

        double[] costs = new double[iterations];
        double[] evaluationSteps = new double[iterations / EVALUATION_INTERVAL + 1];
        double[] evaluationCosts = new double[evaluationSteps.length];
        int evaluations = 0;
        RmsProp optimizer = RmsProp.withPaperSettings(network.parameters().length);
        if (initialMeanSquare != 0) {
            double[] meanSquare = new double[network.parameters().length];
            Arrays.fill(meanSquare, initialMeanSquare);
            optimizer.restore(0, meanSquare);
        }
        double[] gradient = new double[network.parameters().length];
        int firstWindowBelow = -1;
        double window = 0;
        long start = System.nanoTime();
        try (PrintWriter csv =
                new PrintWriter(
                        Files.newBufferedWriter(
                                directory.resolve(name + ".csv"), StandardCharsets.UTF_8))) {
            csv.println("iteration,cost,held_out_cost,held_out_recall_accuracy");
            for (int iteration = 0; iteration <= iterations; iteration++) {
                String heldOut = ",";
                if (iteration % EVALUATION_INTERVAL == 0) {
                    double[] evaluation = evaluate(network, batches, copyingTask);
                    evaluationSteps[evaluations] = iteration;
                    evaluationCosts[evaluations++] = evaluation[0];
                    heldOut =
                            String.format(
                                    Locale.ROOT,
                                    "%.6g,%s",
                                    evaluation[0],
                                    copying
                                            ? String.format(Locale.ROOT, "%.4f", evaluation[1])
                                            : "");
                    System.out.printf(
                            Locale.ROOT,
                            "iteration %d held-out cost %.5f%s, training cost (mean of last %d)"
                                    + " %.5f, %.1f s%n",
                            iteration,
                            evaluation[0],
                            copying
                                    ? String.format(Locale.ROOT, " recall %.3f", evaluation[1])
                                    : "",
                            WINDOW,
                            iteration == 0 ? Double.NaN : window / Math.min(WINDOW, iteration),
                            (System.nanoTime() - start) / 1e9);
                }
                if (iteration == iterations) {
                    csv.println(iteration + ",," + heldOut);
                    break;
                }
                TaskBatch batch = batches.apply((long) iteration * BATCH);
                double cost = network.lossAndGradient(batch.inputs(), batch.loss(), gradient);
                optimizer.update(network.parameters(), gradient);
                costs[iteration] = cost;
                window += cost;
                if (iteration >= WINDOW) {
                    window -= costs[iteration - WINDOW];
                }
                if (firstWindowBelow < 0 && iteration >= WINDOW - 1 && window / WINDOW < baseline) {
                    firstWindowBelow = iteration + 1;
                }
                csv.printf(Locale.ROOT, "%d,%.6g,%s%n", iteration, cost, heldOut);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        double[] steps = new double[iterations];
        double[] smoothed = new double[iterations];
        double running = 0;
        for (int i = 0; i < iterations; i++) {
            steps[i] = i + 1;
            running += costs[i] - (i >= WINDOW ? costs[i - WINDOW] : 0);
            smoothed[i] = running / Math.min(WINDOW, i + 1);
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("uRNN training cost, mean of last " + WINDOW, new double[][] {steps, smoothed});
        series.put(
                "uRNN held-out cost",
                new double[][] {
                    java.util.Arrays.copyOf(evaluationSteps, evaluations),
                    java.util.Arrays.copyOf(evaluationCosts, evaluations)
                });
        series.put(
                copying ? "baseline 10 log 8 / (T + 20)" : "baseline 0.167",
                new double[][] {{1, iterations}, {baseline, baseline}});
        String title =
                String.format(
                        Locale.ROOT,
                        "%s, T = %d, uRNN hidden %d, RMSProp 1e-3, batch %d, seed %d",
                        copying ? "Copying memory" : "Adding",
                        length,
                        hidden,
                        BATCH,
                        seed);
        LossPlot.writePngLogScale(
                directory.resolve(name + ".png"),
                title,
                "iteration",
                copying ? "cross-entropy" : "mean squared error",
                series,
                1000,
                600);

        System.out.printf(
                Locale.ROOT,
                "%s: first iteration whose mean cost over the last %d is below the baseline: %d;"
                        + " final held-out cost %.5f (baseline %.5f); max |W^H W - I| %.3e;"
                        + " %.1f s for %d iterations (%.1f ms each)%n",
                name,
                WINDOW,
                firstWindowBelow,
                evaluationCosts[evaluations - 1],
                baseline,
                network.unitarityDeviation(),
                seconds,
                iterations,
                seconds * 1000 / iterations);
    }

    /**
     * Returns the mean cost over the held-out batches and, for the copying task, the fraction of
     * the 10 recalled symbols predicted right.
     */
    private static double[] evaluate(
            UnitaryEvolutionRnn network,
            LongFunction<TaskBatch> batches,
            CopyingMemoryTask copyingTask) {
        double cost = 0;
        double accuracy = 0;
        for (int i = 0; i < HELD_OUT_BATCHES; i++) {
            TaskBatch batch = batches.apply(HELD_OUT_FIRST + (long) i * BATCH);
            cost += network.loss(batch.inputs(), batch.loss()) / HELD_OUT_BATCHES;
            if (copyingTask != null) {
                double[] outputs = network.outputs(batch.inputs());
                accuracy +=
                        copyingTask.recallAccuracy(outputs, batch.firstSequence(), BATCH)
                                / HELD_OUT_BATCHES;
            }
        }
        return new double[] {cost, copyingTask != null ? accuracy : Double.NaN};
    }
}
