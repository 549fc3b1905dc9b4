package io.latentflow.core.optim;

import io.latentflow.core.plot.LossPlot;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints a table and writes loss curves of saddle-free Hessian-free, Newton-CG, Gauss-Newton
 * Hessian-free and gradient descent started next to the saddle of {@link DeepLinearSaddle}. Run
 * from the test classpath with the output folder as the only argument.
 */
public final class DeepLinearSaddleExperiment {
    private DeepLinearSaddleExperiment() {}

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "target/sfhf");
        int steps = 40;
        int descentSteps = 2000;
        int plottedSteps = 300;
        long seed = 5;
        double damping = 1e-2;
        DeepLinearSaddle[] problems = new DeepLinearSaddle[4];
        for (int i = 0; i < problems.length; i++) {
            problems[i] = new DeepLinearSaddle(seed);
        }
        double startGradient = problems[0].objective().gradient().norm2Number().doubleValue();
        List<DeepLinearSaddle.Curve> curves =
                List.of(
                        problems[0].runHessianFree(
                                "SFHF",
                                HessianFreeConfig.defaults(
                                        CurvatureMethod.SADDLE_FREE, damping, 100),
                                steps),
                        problems[1].runHessianFree(
                                "Newton-CG",
                                HessianFreeConfig.defaults(CurvatureMethod.NEWTON, damping, 100),
                                steps),
                        problems[2].runHessianFree(
                                "Gauss-Newton HF",
                                HessianFreeConfig.defaults(
                                        CurvatureMethod.GAUSS_NEWTON, damping, 100),
                                steps),
                        problems[3].runGradientDescent(
                                "gradient descent, lr 0.05", 0.05, descentSteps));
        double saddleLoss = new DeepLinearSaddle(seed).saddleLoss;

        System.out.printf(
                "deep linear network %d-%d-%d, %d rows, seed %d, saddle loss %.6f%n",
                DeepLinearSaddle.WIDTH,
                DeepLinearSaddle.WIDTH,
                DeepLinearSaddle.WIDTH,
                DeepLinearSaddle.ROWS,
                seed,
                saddleLoss);
        System.out.printf(
                "%-26s %6s %12s %12s %12s %12s %12s%n",
                "method", "steps", "loss@10", "loss@40", "final", "cost", "|g| final");
        System.out.printf("gradient norm at the start %.4g%n", startGradient);
        for (int c = 0; c < curves.size(); c++) {
            DeepLinearSaddle.Curve curve = curves.get(c);
            double endGradient = problems[c].objective().gradient().norm2Number().doubleValue();
            List<double[]> points = curve.points();
            double[] last = points.get(points.size() - 1);
            System.out.printf(
                    "%-26s %6d %12.6g %12.6g %12.6g %12.0f %12.3g%n",
                    curve.name(),
                    points.size() - 1,
                    points.get(10)[2],
                    points.get(40)[2],
                    last[2],
                    last[1],
                    endGradient);
        }
        for (DeepLinearSaddle.Curve curve : curves) {
            for (HessianFreeStep step : curve.steps()) {
                if (step.iteration() < 12 || step.iteration() % 10 == 9) {
                    System.out.printf(
                            "%-26s step %2d loss %.6g damping %.3g inner %3d products %4d"
                                    + " predicted %.3g actual %.3g rho %.3f length %.3g"
                                    + " min curvature %.4g%n",
                            curve.name(),
                            step.iteration(),
                            step.lossAfter(),
                            step.damping(),
                            step.innerIterations(),
                            step.curvatureProducts(),
                            step.predictedReduction(),
                            step.actualReduction(),
                            step.reductionRatio(),
                            step.stepLength(),
                            step.mostNegativeCurvature());
                }
            }
        }

        Map<String, double[][]> byStep = new LinkedHashMap<>();
        Map<String, double[][]> byCost = new LinkedHashMap<>();
        for (DeepLinearSaddle.Curve curve : curves) {
            double[][] step = curve.byStep();
            int keep = Math.min(step[0].length, plottedSteps + 1);
            byStep.put(
                    curve.name(),
                    new double[][] {
                        java.util.Arrays.copyOf(step[0], keep),
                        java.util.Arrays.copyOf(step[1], keep)
                    });
            byCost.put(curve.name(), curve.byCost());
        }
        byStep.put("saddle", new double[][] {{0, plottedSteps}, {saddleLoss, saddleLoss}});
        byCost.put("saddle", new double[][] {{0, descentSteps}, {saddleLoss, saddleLoss}});
        LossPlot.writePngLogScale(
                folder.resolve("saddle_loss_by_step.png"),
                "Two-layer linear network started next to its saddle",
                "outer step",
                "training loss",
                byStep,
                900,
                560);
        LossPlot.writePngLogScale(
                folder.resolve("saddle_loss_by_cost.png"),
                "Same runs against cost (gradients + curvature products + loss / 2)",
                "gradient-equivalent evaluations",
                "training loss",
                byCost,
                900,
                560);
        System.out.println("wrote " + folder.resolve("saddle_loss_by_step.png"));
    }
}
