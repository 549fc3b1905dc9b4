package io.latentflow.job.operators;

import io.latentflow.core.optim.CurvatureMethod;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The optimizers the autoencoder trainer offers: three first-order ones on mini-batches, and the
 * three curvature methods of {@link io.latentflow.core.optim.SaddleFreeHessianFree} on a gradient
 * batch with a curvature batch inside it.
 */
public enum OptimizerKind {
    /** SGD with classical momentum, {@link io.latentflow.core.optim.MomentumSgd}. */
    SGD("sgd", null, 0.01),
    /** Adam, {@link io.latentflow.core.optim.Adam}. */
    ADAM("adam", null, 1e-3),
    /** RMSProp, {@link io.latentflow.core.optim.RmsProp}. */
    RMSPROP("rmsprop", null, 1e-3),
    /** Hessian-free with the Hessian itself: Newton-CG, {@link CurvatureMethod#NEWTON}. */
    NEWTON_CG("hf", CurvatureMethod.NEWTON, Double.NaN),
    /** Martens' Hessian-free with the Gauss-Newton matrix, {@link CurvatureMethod#GAUSS_NEWTON}. */
    GAUSS_NEWTON("gauss-newton", CurvatureMethod.GAUSS_NEWTON, Double.NaN),
    /** Saddle-free Hessian-free, {@link CurvatureMethod#SADDLE_FREE}. */
    SADDLE_FREE("sfhf", CurvatureMethod.SADDLE_FREE, Double.NaN);

    private final String optionName;
    private final CurvatureMethod curvatureMethod;
    private final double defaultLearningRate;

    OptimizerKind(String optionName, CurvatureMethod curvatureMethod, double defaultLearningRate) {
        this.optionName = optionName;
        this.curvatureMethod = curvatureMethod;
        this.defaultLearningRate = defaultLearningRate;
    }

    /** Returns the optimizer named as on the command line, in any case. */
    public static OptimizerKind parse(String name) {
        for (OptimizerKind kind : values()) {
            if (kind.optionName.equalsIgnoreCase(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "unknown optimizer " + name + "; expected one of " + optionNames());
    }

    /** Returns the names {@link #parse} accepts, comma-separated. */
    public static String optionNames() {
        return Arrays.stream(values()).map(k -> k.optionName).collect(Collectors.joining(", "));
    }

    /** Returns the name on the command line and in metrics records. */
    public String optionName() {
        return optionName;
    }

    /** Whether this is a Hessian-free method, trained on gradient and curvature batches. */
    public boolean isSecondOrder() {
        return curvatureMethod != null;
    }

    /** Returns the curvature method of a Hessian-free optimizer; null for first-order ones. */
    public CurvatureMethod curvatureMethod() {
        return curvatureMethod;
    }

    /** Returns the learning rate used when none is given; NaN for Hessian-free methods. */
    public double defaultLearningRate() {
        return defaultLearningRate;
    }

    /** Returns the Hessian-free optimizer of a curvature method. */
    public static OptimizerKind of(CurvatureMethod method) {
        for (OptimizerKind kind : values()) {
            if (kind.curvatureMethod == method) {
                return kind;
            }
        }
        throw new IllegalArgumentException("no optimizer uses " + method);
    }

    @Override
    public String toString() {
        return optionName.toLowerCase(Locale.ROOT);
    }
}
