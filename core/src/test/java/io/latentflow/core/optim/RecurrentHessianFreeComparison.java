package io.latentflow.core.optim;

import io.latentflow.core.plot.LossPlot;
import io.latentflow.core.recurrent.RecurrentNetwork;
import io.latentflow.core.recurrent.UnitaryEvolutionRnn;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.TaskBatch;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The uRNN on the copying task with RMSProp (the paper's: batch 20, learning rate 1e-3, decay 0.9)
 * against the Hessian-free methods through {@link RecurrentObjective}, in process, each for a
 * budget of thread CPU seconds from the same initialization (seed) and the same stream of
 * sequences, with the loss on 100 held-out sequences (sequence numbers from 10^9) against steps,
 * sequences seen and CPU seconds; the held-out evaluations are not counted in the seconds.
 *
 * <p>Usage: {@code RecurrentHessianFreeComparison OUT DELAY HIDDEN SECONDS SEED GRADIENT_BATCH
 * CURVATURE_BATCH METHOD...} with methods rmsprop, sfhf, gauss-newton, hf; a method may carry its
 * inner iteration limit and first damping as sfhf:25:1. Writes OUT/METHOD.csv and three PNGs.
 */
public final class RecurrentHessianFreeComparison {
    private static final int RMSPROP_BATCH = 20;
    private static final int HELD_OUT = 100;
    private static final long HELD_OUT_FIRST = 1_000_000_000L;
    private static final int RMSPROP_EVALUATION_INTERVAL = 20;

    private RecurrentHessianFreeComparison() {}

    private record Point(
            long step, long sequences, double seconds, double batchLoss, double heldOut) {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        int delay = Integer.parseInt(args[1]);
        int hidden = Integer.parseInt(args[2]);
        double budget = Double.parseDouble(args[3]);
        long seed = Long.parseLong(args[4]);
        int gradientBatch = Integer.parseInt(args[5]);
        int curvatureBatch = Integer.parseInt(args[6]);
        Files.createDirectories(out);
        CopyingMemoryTask task = new CopyingMemoryTask(delay, seed);
        TaskBatch heldOut = task.batch(HELD_OUT_FIRST, HELD_OUT);
        System.out.printf(
                Locale.ROOT,
                "copying T=%d hidden=%d seed=%d baseline %.4f, budget %.0f CPU s%n",
                delay,
                hidden,
                seed,
                task.baselineCost(),
                budget);

        Map<String, List<Point>> runs = new LinkedHashMap<>();
        for (int a = 7; a < args.length; a++) {
            String[] parts = args[a].split(":");
            String method = parts[0];
            UnitaryEvolutionRnn network =
                    new UnitaryEvolutionRnn(
                            CopyingMemoryTask.INPUT_CLASSES,
                            hidden,
                            CopyingMemoryTask.OUTPUT_CLASSES,
                            seed);
            List<Point> points =
                    method.equals("rmsprop")
                            ? rmsProp(network, task, heldOut, budget)
                            : hessianFree(
                                    network,
                                    task,
                                    heldOut,
                                    budget,
                                    method,
                                    parts.length > 1 ? Integer.parseInt(parts[1]) : 0,
                                    parts.length > 2 ? Double.parseDouble(parts[2]) : 1.0,
                                    gradientBatch,
                                    curvatureBatch,
                                    out);
            runs.put(args[a], points);
            writeCsv(out.resolve(args[a].replace(':', '-') + ".csv"), points);
        }
        plot(out, runs, task.baselineCost(), delay, hidden, gradientBatch, curvatureBatch);
    }

    private static double cpuSeconds() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return threads.getCurrentThreadCpuTime() / 1e9;
    }

    private static List<Point> rmsProp(
            UnitaryEvolutionRnn network, CopyingMemoryTask task, TaskBatch heldOut, double budget) {
        RmsProp optimizer = RmsProp.withPaperSettings(network.parameters().length);
        double[] gradient = new double[network.parameters().length];
        List<Point> points = new ArrayList<>();
        points.add(new Point(0, 0, 0, Double.NaN, heldOutLoss(network, heldOut)));
        double seconds = 0;
        for (long step = 1; seconds < budget; step++) {
            double start = cpuSeconds();
            TaskBatch batch = task.batch((step - 1) * RMSPROP_BATCH, RMSPROP_BATCH);
            double loss = network.lossAndGradient(batch.inputs(), batch.loss(), gradient);
            optimizer.update(network.parameters(), gradient);
            seconds += cpuSeconds() - start;
            if (step % RMSPROP_EVALUATION_INTERVAL == 0) {
                points.add(
                        new Point(
                                step,
                                step * RMSPROP_BATCH,
                                seconds,
                                loss,
                                heldOutLoss(network, heldOut)));
            }
            if (step % 200 == 0) {
                Point last = points.get(points.size() - 1);
                System.out.printf(
                        Locale.ROOT,
                        "rmsprop step %d sequences %d cpu %.1f s batch %.5f held-out %.5f%n",
                        step,
                        last.sequences(),
                        seconds,
                        loss,
                        last.heldOut());
            }
        }
        return points;
    }

    private static List<Point> hessianFree(
            UnitaryEvolutionRnn network,
            CopyingMemoryTask task,
            TaskBatch heldOut,
            double budget,
            String method,
            int innerIterations,
            double damping,
            int gradientBatch,
            int curvatureBatch,
            Path out)
            throws IOException {
        CurvatureMethod curvature =
                switch (method) {
                    case "sfhf" -> CurvatureMethod.SADDLE_FREE;
                    case "gauss-newton" -> CurvatureMethod.GAUSS_NEWTON;
                    case "hf" -> CurvatureMethod.NEWTON;
                    default -> throw new IllegalArgumentException("unknown method " + method);
                };
        boolean saddleFree = curvature == CurvatureMethod.SADDLE_FREE;
        int limit = innerIterations > 0 ? innerIterations : saddleFree ? 25 : 50;
        // The pipeline's settings (RecurrentOptimizer.hessianFreeConfig).
        SaddleFreeHessianFree optimizer =
                new SaddleFreeHessianFree(
                        new HessianFreeConfig(
                                curvature,
                                damping,
                                limit,
                                saddleFree ? 1e-4 : 5e-4,
                                1e-4,
                                saddleFree ? 10 : 0,
                                saddleFree ? 0 : 0.95,
                                1e-2,
                                0.8,
                                20));
        RecurrentNetwork recurrent = RecurrentNetwork.of(network);
        List<Point> points = new ArrayList<>();
        points.add(new Point(0, 0, 0, Double.NaN, heldOutLoss(network, heldOut)));
        StringBuilder steps =
                new StringBuilder(
                        "step,damping,next_damping,inner_iterations,curvature_products,"
                                + "predicted,actual,rho,step_length,most_negative_curvature\n");
        double seconds = 0;
        for (long step = 1; seconds < budget; step++) {
            double start = cpuSeconds();
            long first = (step - 1) * gradientBatch;
            TaskBatch gradient = task.batch(first, gradientBatch);
            TaskBatch curvatureRows = task.batch(first, curvatureBatch);
            RecurrentObjective objective =
                    new RecurrentObjective(
                            recurrent,
                            gradient.inputs(),
                            gradient.loss(),
                            curvatureRows.inputs(),
                            curvatureRows.loss());
            HessianFreeStep result = optimizer.step(objective);
            objective.copyToNetwork();
            seconds += cpuSeconds() - start;
            Point point =
                    new Point(
                            step,
                            step * gradientBatch,
                            seconds,
                            result.lossBefore(),
                            heldOutLoss(network, heldOut));
            points.add(point);
            steps.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%.4g,%.4g,%d,%d,%.5g,%.5g,%.4g,%.4g,%.5g%n",
                            step,
                            result.damping(),
                            result.nextDamping(),
                            result.innerIterations(),
                            result.curvatureProducts(),
                            result.predictedReduction(),
                            result.actualReduction(),
                            result.reductionRatio(),
                            result.stepLength(),
                            result.mostNegativeCurvature()));
            System.out.printf(
                    Locale.ROOT,
                    "%s step %d sequences %d cpu %.1f s batch %.5f held-out %.5f lambda %.3g"
                            + " rho %.3g products %d length %.3g min curvature %.3g%n",
                    method,
                    step,
                    point.sequences(),
                    seconds,
                    result.lossBefore(),
                    point.heldOut(),
                    result.damping(),
                    result.reductionRatio(),
                    result.curvatureProducts(),
                    result.stepLength(),
                    result.mostNegativeCurvature());
        }
        Files.writeString(out.resolve(method + "-steps.csv"), steps);
        return points;
    }

    private static double heldOutLoss(UnitaryEvolutionRnn network, TaskBatch heldOut) {
        return network.loss(heldOut.inputs(), heldOut.loss());
    }

    private static void writeCsv(Path file, List<Point> points) throws IOException {
        StringBuilder csv = new StringBuilder("step,sequences,cpu_seconds,batch_loss,held_out\n");
        for (Point p : points) {
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%d,%.3f,%.6g,%.6g%n",
                            p.step(),
                            p.sequences(),
                            p.seconds(),
                            p.batchLoss(),
                            p.heldOut()));
        }
        Files.writeString(file, csv);
    }

    private static void plot(
            Path out,
            Map<String, List<Point>> runs,
            double baseline,
            int delay,
            int hidden,
            int gradientBatch,
            int curvatureBatch)
            throws IOException {
        String title =
                String.format(
                        Locale.ROOT,
                        "uRNN copying T=%d, n=%d: held-out loss (rmsprop batch 20; Hessian-free"
                                + " %d / %d)",
                        delay,
                        hidden,
                        gradientBatch,
                        curvatureBatch);
        String[] axes = {"steps", "sequences seen", "CPU seconds in training"};
        String[] files = {"by-steps.png", "by-sequences.png", "by-seconds.png"};
        for (int axis = 0; axis < 3; axis++) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            double end = 0;
            for (Map.Entry<String, List<Point>> run : runs.entrySet()) {
                List<Point> points = run.getValue();
                double[][] xy = new double[2][points.size()];
                for (int i = 0; i < points.size(); i++) {
                    Point p = points.get(i);
                    xy[0][i] = axis == 0 ? p.step() : axis == 1 ? p.sequences() : p.seconds();
                    xy[1][i] = p.heldOut();
                }
                end = Math.max(end, xy[0][points.size() - 1]);
                series.put(run.getKey(), xy);
            }
            series.put("memoryless baseline", new double[][] {{0, end}, {baseline, baseline}});
            LossPlot.writePngLogScale(
                    out.resolve(files[axis]), title, axes[axis], "held-out loss", series, 900, 520);
        }
    }
}
