package io.latentflow.core.optim;

/**
 * What one {@link SaddleFreeHessianFree} step did, for logs and metrics.
 *
 * @param iteration the step's index, from 0
 * @param method the curvature and inner solver
 * @param lossBefore the loss on the gradient batch before the step
 * @param lossAfter the loss on the gradient batch after it
 * @param damping the damping lambda the step was solved with
 * @param nextDamping lambda after the Levenberg-Marquardt update, for the next step
 * @param innerIterations iterations of the inner solver
 * @param curvatureProducts Hessian or Gauss-Newton products, the Lanczos estimate included
 * @param predictedReduction the change of loss predicted by the quadratic model g^T d + 1/2 d^T B d
 *     at the chosen iterate d, B the Hessian for saddle-free and Newton and the Gauss-Newton matrix
 *     for Gauss-Newton; negative for a predicted decrease
 * @param actualReduction the change of loss at the chosen iterate, before the line search
 * @param reductionRatio actual over predicted, which drives the damping
 * @param chosenIterate the inner iteration whose iterate backtracking chose
 * @param stepLength the line search's multiple of the chosen iterate; 0 when the step was rejected
 * @param mostNegativeCurvature the smallest curvature seen: the smallest Lanczos Ritz value of H
 *     when Lanczos ran, else the smallest p^T B p / p^T p among the conjugate-gradient directions
 * @param negativeCurvatureMet whether conjugate gradients met a direction of non-positive damped
 *     curvature; Gauss-Newton stops there, Newton goes on to the model's stationary point
 */
public record HessianFreeStep(
        long iteration,
        CurvatureMethod method,
        double lossBefore,
        double lossAfter,
        double damping,
        double nextDamping,
        int innerIterations,
        long curvatureProducts,
        double predictedReduction,
        double actualReduction,
        double reductionRatio,
        int chosenIterate,
        double stepLength,
        double mostNegativeCurvature,
        boolean negativeCurvatureMet) {}
