package io.latentflow.core.recurrent;

import io.latentflow.core.optim.CurvatureMethod;
import io.latentflow.core.optim.HessianFreeConfig;
import io.latentflow.core.optim.HessianFreeStep;
import io.latentflow.core.optim.RmsProp;
import io.latentflow.core.optim.SaddleFreeHessianFree;
import io.latentflow.core.plot.LossPlot;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.TaskBatch;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains the LSTM on the copying task with saddle-free Hessian-free, Newton-CG, Gauss-Newton
 * Hessian-free or RMSProp for a fixed budget of training seconds each, one after the other, and
 * writes the held-out cost against sequences seen and against seconds; run by hand rather than by
 * the test suite:
 *
 * <pre>
 * METHODS DELAY HIDDEN SECONDS SEED DIRECTORY [GRADIENT_BATCH CURVATURE_BATCH DAMPING INNER]
 * </pre>
 *
 * <p>METHODS is a comma-separated list of sfhf, newton, gn and rmsprop. The Hessian-free methods
 * take a fresh gradient batch each step (default 100 sequences) and compute their curvature on its
 * first CURVATURE_BATCH sequences (default 20), from damping DAMPING (default 1) with at most INNER
 * inner iterations (default 25 for saddle-free, which costs two products each, and 50 for the
 * others); RMSProp takes the paper's batch of 20 and its settings. Every run starts from the same
 * initialization and reads the same stream of sequences. Held-out cost and recall are measured on
 * 100 sequences that training never reaches, outside the timed part. Writes {@code
 * DIRECTORY/lstm-copying-T<DELAY>-n<HIDDEN>-s<SEED>.csv} and two PNGs, redrawn after each method.
 * SECONDS and the seconds reported are the training thread's CPU time (ND4J's products run on it
 * with OMP_NUM_THREADS=1), so that other work on a shared machine does not count; the CPU time of
 * the garbage collector's threads is left out.
 */
public final class LongShortTermMemoryHessianFreeExperiment {
    private static final int RMSPROP_BATCH = 20;
    private static final int RMSPROP_EVALUATION_INTERVAL = 25;
    private static final int HELD_OUT_BATCHES = 5;
    private static final int HELD_OUT_BATCH = 20;
    private static final long HELD_OUT_FIRST = 1L << 40;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private LongShortTermMemoryHessianFreeExperiment() {}

    /** One held-out measurement of a run. */
    private record Point(
            long step,
            long sequences,
            double seconds,
            double trainingLoss,
            double cost,
            double recall) {}

    public static void main(String[] args) throws IOException {
        if (args.length != 6 && args.length != 10) {
            System.err.println(
                    "usage: METHODS DELAY HIDDEN SECONDS SEED DIRECTORY"
                            + " [GRADIENT_BATCH CURVATURE_BATCH DAMPING INNER]");
            System.exit(2);
        }
        String[] methods = args[0].split(",");
        int delay = Integer.parseInt(args[1]);
        int hidden = Integer.parseInt(args[2]);
        double budget = Double.parseDouble(args[3]);
        long seed = Long.parseLong(args[4]);
        Path directory = Path.of(args[5]);
        int gradientBatch = args.length > 6 ? Integer.parseInt(args[6]) : 100;
        int curvatureBatch = args.length > 6 ? Integer.parseInt(args[7]) : 20;
        double damping = args.length > 6 ? Double.parseDouble(args[8]) : 1;
        int inner = args.length > 6 ? Integer.parseInt(args[9]) : 0;
        Files.createDirectories(directory);
        CopyingMemoryTask task = new CopyingMemoryTask(delay, seed);
        String name = String.format(Locale.ROOT, "lstm-copying-T%d-n%d-s%d", delay, hidden, seed);

        Map<String, List<Point>> runs = new LinkedHashMap<>();
        try (PrintWriter csv =
                new PrintWriter(
                        Files.newBufferedWriter(
                                directory.resolve(name + ".csv"), StandardCharsets.UTF_8))) {
            csv.println(
                    "method,step,sequences,seconds,training_loss,held_out_cost,held_out_recall,"
                            + "damping,inner_iterations,curvature_products,rho,step_length,"
                            + "most_negative_curvature");
            for (String method : methods) {
                LongShortTermMemory network =
                        new LongShortTermMemory(
                                CopyingMemoryTask.INPUT_CLASSES,
                                hidden,
                                CopyingMemoryTask.OUTPUT_CLASSES,
                                seed);
                System.out.printf(
                        Locale.ROOT,
                        "%s: copying T=%d, LSTM hidden %d (%d parameters), %s, %.0f s budget,"
                                + " baseline %.5f%n",
                        name,
                        delay,
                        hidden,
                        network.parameters().length,
                        method,
                        budget,
                        task.baselineCost());
                List<Point> points =
                        method.equals("rmsprop")
                                ? rmsProp(network, task, budget, csv)
                                : hessianFree(
                                        method,
                                        network,
                                        task,
                                        budget,
                                        gradientBatch,
                                        curvatureBatch,
                                        damping,
                                        inner,
                                        csv);
                runs.put(method, points);
                csv.flush();
                plot(directory, name, task, hidden, gradientBatch, curvatureBatch, runs);
            }
        }
    }

    private static List<Point> hessianFree(
            String method,
            LongShortTermMemory network,
            CopyingMemoryTask task,
            double budget,
            int gradientBatch,
            int curvatureBatch,
            double damping,
            int inner,
            PrintWriter csv) {
        CurvatureMethod curvature =
                switch (method) {
                    case "sfhf" -> CurvatureMethod.SADDLE_FREE;
                    case "newton" -> CurvatureMethod.NEWTON;
                    case "gn" -> CurvatureMethod.GAUSS_NEWTON;
                    default -> throw new IllegalArgumentException("unknown method " + method);
                };
        int iterations = inner > 0 ? inner : curvature == CurvatureMethod.SADDLE_FREE ? 25 : 50;
        SaddleFreeHessianFree optimizer =
                new SaddleFreeHessianFree(
                        HessianFreeConfig.defaults(curvature, damping, iterations));
        LongShortTermMemoryObjective objective = new LongShortTermMemoryObjective(network);
        List<Point> points = new ArrayList<>();
        Point first = evaluate(network, task, 0, 0, 0, Double.NaN);
        points.add(first);
        print(method, first, "");
        csv.printf(Locale.ROOT, "%s,0,0,0,,%.6g,%.4f,,,,,,%n", method, first.cost, first.recall);
        double seconds = 0;
        for (long step = 0; seconds < budget; step++) {
            long firstSequence = step * gradientBatch;
            objective.setBatches(
                    task.batch(firstSequence, gradientBatch),
                    task.batch(firstSequence, curvatureBatch));
            long start = THREADS.getCurrentThreadCpuTime();
            HessianFreeStep result = optimizer.step(objective);
            objective.synchronize();
            seconds += (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
            Point point =
                    evaluate(
                            network,
                            task,
                            step + 1,
                            (step + 1) * gradientBatch,
                            seconds,
                            result.lossAfter());
            points.add(point);
            csv.printf(
                    Locale.ROOT,
                    "%s,%d,%d,%.3f,%.6g,%.6g,%.4f,%.4g,%d,%d,%.4g,%.4g,%.4g%n",
                    method,
                    point.step,
                    point.sequences,
                    point.seconds,
                    point.trainingLoss,
                    point.cost,
                    point.recall,
                    result.damping(),
                    result.innerIterations(),
                    result.curvatureProducts(),
                    result.reductionRatio(),
                    result.stepLength(),
                    result.mostNegativeCurvature());
            csv.flush();
            print(
                    method,
                    point,
                    String.format(
                            Locale.ROOT,
                            " damping %.3g, %d inner, %d products, rho %.3f, length %.3g,"
                                    + " most negative curvature %.3g",
                            result.damping(),
                            result.innerIterations(),
                            result.curvatureProducts(),
                            result.reductionRatio(),
                            result.stepLength(),
                            result.mostNegativeCurvature()));
        }
        System.out.printf(
                Locale.ROOT,
                "%s: %d losses, %d gradients, %d curvature products%n",
                method,
                objective.losses(),
                objective.gradients(),
                objective.products());
        return points;
    }

    private static List<Point> rmsProp(
            LongShortTermMemory network, CopyingMemoryTask task, double budget, PrintWriter csv) {
        RmsProp optimizer = RmsProp.withPaperSettings(network.parameters().length);
        double[] gradient = new double[network.parameters().length];
        List<Point> points = new ArrayList<>();
        double seconds = 0;
        double window = 0;
        int inWindow = 0;
        for (long step = 0; ; step++) {
            if (step % RMSPROP_EVALUATION_INTERVAL == 0) {
                Point point =
                        evaluate(
                                network,
                                task,
                                step,
                                step * RMSPROP_BATCH,
                                seconds,
                                inWindow == 0 ? Double.NaN : window / inWindow);
                points.add(point);
                csv.printf(
                        Locale.ROOT,
                        "rmsprop,%d,%d,%.3f,%.6g,%.6g,%.4f,,,,,,%n",
                        point.step,
                        point.sequences,
                        point.seconds,
                        point.trainingLoss,
                        point.cost,
                        point.recall);
                if (step % (RMSPROP_EVALUATION_INTERVAL * 40) == 0) {
                    print("rmsprop", point, "");
                }
                window = 0;
                inWindow = 0;
                if (seconds >= budget) {
                    print("rmsprop", point, "");
                    return points;
                }
            }
            TaskBatch batch = task.batch(step * RMSPROP_BATCH, RMSPROP_BATCH);
            long start = THREADS.getCurrentThreadCpuTime();
            window += network.lossAndGradient(batch.inputs(), batch.loss(), gradient, null);
            optimizer.update(network.parameters(), gradient);
            seconds += (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
            inWindow++;
        }
    }

    private static Point evaluate(
            LongShortTermMemory network,
            CopyingMemoryTask task,
            long step,
            long sequences,
            double seconds,
            double trainingLoss) {
        double cost = 0;
        double recall = 0;
        for (int i = 0; i < HELD_OUT_BATCHES; i++) {
            TaskBatch batch =
                    task.batch(HELD_OUT_FIRST + (long) i * HELD_OUT_BATCH, HELD_OUT_BATCH);
            double[] outputs = network.outputs(batch.inputs());
            cost +=
                    batch.loss()
                                    .evaluate(
                                            outputs,
                                            batch.inputs().timeSteps(),
                                            HELD_OUT_BATCH,
                                            CopyingMemoryTask.OUTPUT_CLASSES,
                                            new double[outputs.length])
                            / HELD_OUT_BATCHES;
            recall +=
                    task.recallAccuracy(outputs, batch.firstSequence(), HELD_OUT_BATCH)
                            / HELD_OUT_BATCHES;
        }
        return new Point(step, sequences, seconds, trainingLoss, cost, recall);
    }

    private static void print(String method, Point point, String detail) {
        System.out.printf(
                Locale.ROOT,
                "%-8s step %5d, %7d sequences, %7.1f s: training %.5f, held-out %.5f, recall %.3f%s%n",
                method,
                point.step,
                point.sequences,
                point.seconds,
                point.trainingLoss,
                point.cost,
                point.recall,
                detail);
    }

    private static void plot(
            Path directory,
            String name,
            CopyingMemoryTask task,
            int hidden,
            int gradientBatch,
            int curvatureBatch,
            Map<String, List<Point>> runs)
            throws IOException {
        Map<String, double[][]> bySequences = new LinkedHashMap<>();
        Map<String, double[][]> bySeconds = new LinkedHashMap<>();
        double lastSequences = 1;
        double lastSeconds = 1;
        for (Map.Entry<String, List<Point>> run : runs.entrySet()) {
            List<Point> points = run.getValue();
            double[] sequences = new double[points.size()];
            double[] seconds = new double[points.size()];
            double[] costs = new double[points.size()];
            for (int i = 0; i < points.size(); i++) {
                sequences[i] = points.get(i).sequences;
                seconds[i] = points.get(i).seconds;
                costs[i] = points.get(i).cost;
            }
            lastSequences = Math.max(lastSequences, sequences[sequences.length - 1]);
            lastSeconds = Math.max(lastSeconds, seconds[seconds.length - 1]);
            bySequences.put(label(run.getKey()), new double[][] {sequences, costs});
            bySeconds.put(label(run.getKey()), new double[][] {seconds, costs});
        }
        double baseline = task.baselineCost();
        bySequences.put(
                "baseline 10 log 8 / (T + 20)",
                new double[][] {{0, lastSequences}, {baseline, baseline}});
        bySeconds.put(
                "baseline 10 log 8 / (T + 20)",
                new double[][] {{0, lastSeconds}, {baseline, baseline}});
        String title =
                String.format(
                        Locale.ROOT,
                        "Copying T = %d, LSTM hidden %d; HF gradient batch %d, curvature batch %d",
                        task.sequenceLength() - 20,
                        hidden,
                        gradientBatch,
                        curvatureBatch);
        LossPlot.writePngLogScale(
                directory.resolve(name + "-by-sequences.png"),
                title,
                "training sequences seen",
                "held-out cross-entropy",
                bySequences,
                1000,
                600);
        LossPlot.writePngLogScale(
                directory.resolve(name + "-by-seconds.png"),
                title,
                "training seconds (CPU time of the training thread)",
                "held-out cross-entropy",
                bySeconds,
                1000,
                600);
        System.out.println("wrote " + directory.resolve(name + "-by-sequences.png"));
    }

    private static String label(String method) {
        return switch (method) {
            case "sfhf" -> "saddle-free Hessian-free";
            case "newton" -> "Newton-CG";
            case "gn" -> "Gauss-Newton Hessian-free";
            default -> "RMSProp 1e-3, batch 20";
        };
    }
}
