package io.latentflow.core.optim;

import io.latentflow.core.optim.krylov.ConjugateGradient;
import io.latentflow.core.optim.krylov.LanczosSpectrum;
import io.latentflow.core.optim.krylov.MultiShiftConjugateGradient;
import io.latentflow.core.optim.krylov.SaddleFreeDirection;
import io.latentflow.core.optim.krylov.SymmetricOperator;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saddle-free Hessian-free optimisation (Arjovsky, <a
 * href="https://arxiv.org/abs/1506.00059">arXiv:1506.00059</a>): Martens' Hessian-free outer loop
 * around the saddle-free Newton step d = -(H^2 + lambda^2 I)^(-1/2) g of Dauphin et al., computed
 * by {@link SaddleFreeDirection} from exact Hessian products without storing a matrix. Classical
 * Newton-CG and Martens' Gauss-Newton Hessian-free are selectable beside it by {@link
 * CurvatureMethod}, for comparison.
 *
 * <p>Each step: the loss and gradient on the gradient batch; curvature products on the curvature
 * batch, frozen at the current parameters; for saddle-free, a few Lanczos steps on H for its
 * extreme eigenvalues; the inner solve, keeping iterates at iterations ceil(1.3^k); backtracking
 * over those iterates from the last while the loss keeps falling; the reduction ratio rho = actual
 * / predicted change at the chosen iterate, and Levenberg-Marquardt damping (lambda times 3/2 when
 * rho &lt; 1/4 or the model predicts no decrease, times 2/3 when rho &gt; 3/4); an Armijo line
 * search along the chosen iterate. Conjugate gradients start from the previous step times a decay;
 * the saddle-free solve always starts from zero, because the shifted systems of multi-shift
 * conjugate gradients must share their first residual.
 *
 * <p>Instances are not thread-safe.
 */
public final class SaddleFreeHessianFree {
    private static final Logger LOG = LoggerFactory.getLogger(SaddleFreeHessianFree.class);

    /** Martens' spacing of the iterates kept for backtracking. */
    private static final double SNAPSHOT_RATIO = 1.3;

    /** Below this the damping stops shrinking, so that H^2 + lambda^2 I stays bounded below. */
    private static final double MINIMUM_DAMPING = 1e-10;

    private final HessianFreeConfig config;
    private final int[] snapshotIterations;
    private double damping;
    private double[] previousStep;
    private long iteration;

    /** Creates an optimizer at the configuration's initial damping. */
    public SaddleFreeHessianFree(HessianFreeConfig config) {
        this.config = config;
        this.damping = config.initialDamping();
        this.snapshotIterations = snapshotIterations(config.maxInnerIterations());
    }

    private static int[] snapshotIterations(int maxIterations) {
        List<Integer> iterations = new ArrayList<>();
        for (double k = 1; Math.ceil(k) <= maxIterations; k *= SNAPSHOT_RATIO) {
            int next = (int) Math.ceil(k);
            if (iterations.isEmpty() || iterations.get(iterations.size() - 1) != next) {
                iterations.add(next);
            }
        }
        return iterations.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Takes one step on the objective's current batches and updates its parameters in place. */
    public HessianFreeStep step(SecondOrderObjective objective) {
        INDArray parameters = objective.parameters();
        DataType dataType = parameters.dataType();
        double[] start = parameters.toDoubleVector();
        double lossBefore = objective.loss();
        double[] gradient = objective.gradient().toDoubleVector();
        SecondOrderObjective.Curvature curvature = objective.curvature();
        long[] products = {0};
        SymmetricOperator hessian =
                x -> {
                    products[0]++;
                    return curvature
                            .hessianTimes(Nd4j.createFromArray(x).castTo(dataType))
                            .toDoubleVector();
                };
        SymmetricOperator gaussNewton =
                x -> {
                    products[0]++;
                    return curvature
                            .gaussNewtonTimes(Nd4j.createFromArray(x).castTo(dataType))
                            .toDoubleVector();
                };
        SymmetricOperator model =
                config.method() == CurvatureMethod.GAUSS_NEWTON ? gaussNewton : hessian;

        double mostNegativeCurvature = Double.NaN;
        // With a zero gradient the step is zero whatever the quadrature's interval.
        double spectralRadius = 0;
        if (config.lanczosSteps() > 0 && norm(gradient) > 0) {
            LanczosSpectrum.Estimate spectrum =
                    LanczosSpectrum.estimate(hessian, gradient, config.lanczosSteps());
            mostNegativeCurvature = spectrum.smallest();
            spectralRadius = spectrum.spectralRadius();
        }

        InnerSolve inner = solve(model, hessian, gradient, spectralRadius);
        if (Double.isNaN(mostNegativeCurvature)) {
            mostNegativeCurvature = inner.smallestCurvature;
        }

        // Backtracking: from the last kept iterate towards the first, while the loss falls.
        int chosen = inner.candidates.size() - 1;
        double chosenLoss = lossAt(objective, start, inner.candidates.get(chosen), 1, dataType);
        while (chosen > 0) {
            double earlier =
                    lossAt(objective, start, inner.candidates.get(chosen - 1), 1, dataType);
            if (!(earlier < chosenLoss)) {
                break;
            }
            chosen--;
            chosenLoss = earlier;
        }
        double[] step = inner.candidates.get(chosen);

        // rho compares the change of loss with the quadratic model's g^T d + 1/2 d^T B d. The
        // curvature products may read the live parameters, which backtracking moved, so they
        // are put back at the point the curvature belongs to first.
        parameters.assign(Nd4j.createFromArray(start).castTo(dataType));
        double slope = dot(gradient, step);
        double predicted = slope + 0.5 * dot(step, model.times(step));
        double actual = chosenLoss - lossBefore;
        double ratio = actual / predicted;
        double usedDamping = damping;
        // A model that predicts no decrease cannot vouch for a step, even when the loss rises
        // as much as it predicted: that ratio is positive but says the step went uphill.
        if (!(predicted < 0) || !(ratio >= 0.25)) {
            damping *= 1.5;
        } else if (ratio > 0.75) {
            damping = Math.max(MINIMUM_DAMPING, damping * 2.0 / 3.0);
        }

        double length = lineSearch(objective, start, step, lossBefore, chosenLoss, slope, dataType);
        double lossAfter = lossAt(objective, start, step, length, dataType);
        previousStep = length > 0 ? scaled(step, length) : null;

        HessianFreeStep result =
                new HessianFreeStep(
                        iteration,
                        config.method(),
                        lossBefore,
                        lossAfter,
                        usedDamping,
                        damping,
                        inner.iterations,
                        products[0],
                        predicted,
                        actual,
                        ratio,
                        inner.iterationOf.get(chosen),
                        length,
                        mostNegativeCurvature,
                        inner.negativeCurvature);
        LOG.debug(
                "{} step {}: loss {} -> {}, damping {} -> {}, {} inner iterations, {} products,"
                        + " predicted {} actual {} (rho {}), step length {}, most negative"
                        + " curvature {}",
                config.method(),
                iteration,
                lossBefore,
                lossAfter,
                usedDamping,
                damping,
                inner.iterations,
                products[0],
                predicted,
                actual,
                ratio,
                length,
                mostNegativeCurvature);
        iteration++;
        return result;
    }

    /** The inner solver's kept iterates, as steps, and what it cost. */
    private record InnerSolve(
            List<double[]> candidates,
            List<Integer> iterationOf,
            int iterations,
            double smallestCurvature,
            boolean negativeCurvature) {}

    private InnerSolve solve(
            SymmetricOperator model,
            SymmetricOperator hessian,
            double[] gradient,
            double spectralRadius) {
        List<double[]> candidates = new ArrayList<>();
        List<Integer> iterationOf = new ArrayList<>();
        if (config.method() == CurvatureMethod.SADDLE_FREE) {
            SaddleFreeDirection direction =
                    new SaddleFreeDirection(
                            config.quadratureTolerance(),
                            config.innerTolerance(),
                            config.maxInnerIterations());
            // The Lanczos Ritz values lie inside the spectrum; the margin covers the part of the
            // spectrum they have not reached, and the quadrature degrades slowly beyond it.
            double ceiling = Math.max(2 * spectralRadius, damping);
            SaddleFreeDirection.Result result =
                    direction.solve(hessian, gradient, damping, 0, ceiling, snapshotIterations);
            // The solver's arrays are this step's own, so they are negated in place.
            for (MultiShiftConjugateGradient.Snapshot snapshot : result.snapshots()) {
                if (snapshot.iteration() < result.iterations()) {
                    candidates.add(negate(snapshot.solution()));
                    iterationOf.add(snapshot.iteration());
                }
            }
            candidates.add(negate(result.direction()));
            iterationOf.add(result.iterations());
            return new InnerSolve(candidates, iterationOf, result.iterations(), Double.NaN, false);
        }

        double[] warmStart =
                previousStep == null || config.warmStartDecay() == 0
                        ? null
                        : scaled(previousStep, config.warmStartDecay());
        ConjugateGradient.Result result =
                new ConjugateGradient(
                                config.maxInnerIterations(),
                                config.innerTolerance(),
                                config.method() == CurvatureMethod.GAUSS_NEWTON)
                        .solve(model, damping, gradient, warmStart, snapshotIterations);
        for (ConjugateGradient.Snapshot snapshot : result.snapshots()) {
            if (snapshot.iteration() < result.iterations()) {
                candidates.add(snapshot.solution());
                iterationOf.add(snapshot.iteration());
            }
        }
        candidates.add(result.solution());
        iterationOf.add(result.iterations());
        return new InnerSolve(
                candidates,
                iterationOf,
                result.iterations(),
                result.smallestCurvature(),
                result.negativeCurvature());
    }

    /**
     * Armijo backtracking along step: the longest length 1, shrink, shrink^2, ... whose loss is at
     * most lossBefore + c * length * g^T step, or 0 when none of them is.
     */
    private double lineSearch(
            SecondOrderObjective objective,
            double[] start,
            double[] step,
            double lossBefore,
            double lossAtFullStep,
            double slope,
            DataType dataType) {
        double length = 1;
        double loss = lossAtFullStep;
        for (int trial = 0; trial < config.maxLineSearchSteps(); trial++) {
            if (loss <= lossBefore + config.sufficientDecrease() * length * Math.min(slope, 0)
                    && loss < lossBefore) {
                return length;
            }
            length *= config.lineSearchShrink();
            loss = lossAt(objective, start, step, length, dataType);
        }
        return 0;
    }

    private static double lossAt(
            SecondOrderObjective objective,
            double[] start,
            double[] step,
            double length,
            DataType dataType) {
        double[] point = start.clone();
        for (int i = 0; i < point.length; i++) {
            point[i] += length * step[i];
        }
        objective.parameters().assign(Nd4j.createFromArray(point).castTo(dataType));
        return objective.loss();
    }

    private static double dot(double[] x, double[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * y[i];
        }
        return sum;
    }

    private static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    private static double[] negate(double[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = -x[i];
        }
        return x;
    }

    private static double[] scaled(double[] x, double factor) {
        double[] result = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            result[i] = factor * x[i];
        }
        return result;
    }

    /** Returns the damping lambda the next step will use. */
    public double damping() {
        return damping;
    }

    /** Returns how many steps have been taken. */
    public long iteration() {
        return iteration;
    }

    /**
     * Returns a copy of the last accepted step, from which conjugate gradients warm-start the next
     * one, or null when the last step was rejected or none was taken.
     */
    public double[] previousStep() {
        return previousStep == null ? null : previousStep.clone();
    }

    /**
     * Replaces what this optimizer carries from one step to the next with a saved state, so that
     * training resumes exactly where it was: a streaming trainer keeps these in its checkpointed
     * state and rebuilds the optimizer from them.
     *
     * @param savedIteration steps taken before the state was saved
     * @param savedDamping the damping lambda the next step will use, positive
     * @param savedPreviousStep the last accepted step, copied, or null for none
     */
    public void restore(long savedIteration, double savedDamping, double[] savedPreviousStep) {
        if (savedIteration < 0) {
            throw new IllegalArgumentException("iteration must not be negative: " + savedIteration);
        }
        if (!(savedDamping > 0) || !Double.isFinite(savedDamping)) {
            throw new IllegalArgumentException("damping must be positive: " + savedDamping);
        }
        this.iteration = savedIteration;
        this.damping = savedDamping;
        this.previousStep = savedPreviousStep == null ? null : savedPreviousStep.clone();
    }

    /** Returns the configuration. */
    public HessianFreeConfig config() {
        return config;
    }
}
