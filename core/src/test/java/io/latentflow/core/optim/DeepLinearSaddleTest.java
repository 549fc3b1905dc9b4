package io.latentflow.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeepLinearSaddleTest {
    private static final long SEED = 5;

    @Test
    void startIsNextToACriticalPointWithNegativeCurvature() {
        DeepLinearSaddle problem = new DeepLinearSaddle(SEED);
        double startGradient = problem.objective().gradient().norm2Number().doubleValue();
        DeepLinearSaddle.Curve newton =
                problem.runHessianFree(
                        "Newton-CG",
                        HessianFreeConfig.defaults(CurvatureMethod.NEWTON, 1e-2, 100),
                        8);
        // Newton's method jumps to the nearest critical point and stays: the saddle's loss, and a
        // gradient along which the quadratic model predicts no decrease.
        double endGradient = problem.objective().gradient().norm2Number().doubleValue();
        assertEquals(newton.finalLoss(), problem.saddleLoss, 1e-7 * problem.saddleLoss);
        assertTrue(
                endGradient < 1e-4 * startGradient,
                "gradient norm " + startGradient + " at the start, " + endGradient + " at the end");
        HessianFreeStep last = newton.steps().get(newton.steps().size() - 1);
        assertTrue(last.mostNegativeCurvature() < -0.5);
        // Steps that the model predicts to climb towards the saddle are rejected and raise the
        // damping, however well the model predicts the climb.
        int rejected = 0;
        for (HessianFreeStep step : newton.steps()) {
            if (step.predictedReduction() > 0) {
                rejected++;
                assertEquals(0.0, step.stepLength());
                assertEquals(1.5 * step.damping(), step.nextDamping(), 1e-15);
            }
        }
        assertTrue(rejected > 0);
    }

    @Test
    void saddleFreeHessianFreeLeavesTheSaddleForTheGlobalMinimum() {
        DeepLinearSaddle problem = new DeepLinearSaddle(SEED);
        DeepLinearSaddle.Curve saddleFree =
                problem.runHessianFree(
                        "SFHF",
                        HessianFreeConfig.defaults(CurvatureMethod.SADDLE_FREE, 1e-2, 100),
                        20);
        assertTrue(saddleFree.steps().get(0).mostNegativeCurvature() < -1);
        // The least-squares fit leaves the noise, about 0.1^2 / 6 per output: 0.0087 here.
        assertTrue(
                saddleFree.finalLoss() < 0.01, "SFHF ended at a loss of " + saddleFree.finalLoss());
        assertTrue(saddleFree.finalLoss() < 2e-3 * problem.saddleLoss);
    }

    @Test
    void gradientDescentIsStillOnTheSaddlesPlateauAfterFortySteps() {
        DeepLinearSaddle problem = new DeepLinearSaddle(SEED);
        DeepLinearSaddle.Curve descent = problem.runGradientDescent("GD", 0.05, 40);
        assertTrue(descent.finalLoss() > 0.99 * problem.saddleLoss);
        assertTrue(descent.finalLoss() < descent.points().get(0)[2]);
    }
}
