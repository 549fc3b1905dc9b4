package io.latentflow.job.operators;

import io.latentflow.core.optim.Adam;
import io.latentflow.core.optim.CurvatureMethod;
import io.latentflow.core.optim.HessianFreeConfig;
import io.latentflow.core.optim.RmsProp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The optimizers a recurrent run can train with, over the network's float64 parameter array:
 * RMSProp, the paper's choice (Arjovsky, Shah and Bengio, <a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>: learning rate 1e-3, decay 0.9), and
 * Adam (Kingma and Ba, <a href="https://arxiv.org/abs/1412.6980">arXiv:1412.6980</a>) with beta1 =
 * 0.9, beta2 = 0.999, epsilon = 1e-8. Both work on the parameter vector as a whole, so they need
 * nothing from the network but its parameters and gradient.
 *
 * <p>Beside them the three Hessian-free methods of {@link
 * io.latentflow.core.optim.SaddleFreeHessianFree} (Arjovsky, <a
 * href="https://arxiv.org/abs/1506.00059">arXiv:1506.00059</a>), which take one step per gradient
 * batch of sequences and need the network's curvature products ({@link
 * io.latentflow.core.recurrent.RecurrentNetwork#curvature}).
 */
public enum RecurrentOptimizer {
    RMSPROP("rmsprop", null),
    ADAM("adam", null),
    /** Newton-CG: conjugate gradients on (H + lambda I) d = -g. */
    NEWTON_CG("hf", CurvatureMethod.NEWTON),
    /** Martens' Hessian-free: conjugate gradients on (G + lambda I) d = -g. */
    GAUSS_NEWTON("gauss-newton", CurvatureMethod.GAUSS_NEWTON),
    /** Saddle-free Hessian-free: d = -(H^2 + lambda^2 I)^-1/2 g. */
    SADDLE_FREE("sfhf", CurvatureMethod.SADDLE_FREE);

    private final String optionName;
    private final CurvatureMethod curvatureMethod;

    RecurrentOptimizer(String optionName, CurvatureMethod curvatureMethod) {
        this.optionName = optionName;
        this.curvatureMethod = curvatureMethod;
    }

    /** Adam's decay of the first moment. */
    public static final double ADAM_BETA1 = 0.9;

    /** Adam's decay of the second moment. */
    public static final double ADAM_BETA2 = 0.999;

    /** Returns the optimizer named rmsprop, adam, hf, gauss-newton or sfhf, in any case. */
    public static RecurrentOptimizer parse(String name) {
        for (RecurrentOptimizer optimizer : values()) {
            if (optimizer.optionName().equalsIgnoreCase(name)) {
                return optimizer;
            }
        }
        throw new IllegalArgumentException(
                "unknown optimizer '" + name + "': rmsprop, adam, hf, gauss-newton or sfhf");
    }

    /** Returns the name on the command line and in records. */
    public String optionName() {
        return optionName;
    }

    /** Whether this is a Hessian-free method, trained on gradient and curvature batches. */
    public boolean isSecondOrder() {
        return curvatureMethod != null;
    }

    /**
     * The Hessian-free settings, as the autoencoder's: conjugate gradients with Martens' tolerance
     * 5e-4 warm-started from 0.95 times the last step; for saddle-free a residual tolerance of 1e-4
     * and 10 Lanczos steps; a quadrature tolerance of 1e-4 and an Armijo line search with c = 0.01,
     * shrink 0.8, 20 trials.
     */
    public HessianFreeConfig hessianFreeConfig(double initialDamping, int maxInnerIterations) {
        if (curvatureMethod == null) {
            throw new IllegalStateException(optionName + " is not a Hessian-free optimizer");
        }
        boolean saddleFree = curvatureMethod == CurvatureMethod.SADDLE_FREE;
        return new HessianFreeConfig(
                curvatureMethod,
                initialDamping,
                maxInnerIterations,
                saddleFree ? 1e-4 : 5e-4,
                1e-4,
                saddleFree ? 10 : 0,
                saddleFree ? 0 : 0.95,
                1e-2,
                0.8,
                20);
    }

    /** One run's optimizer with its state, restored from and saved into keyed state. */
    interface Stepper {
        void update(double[] parameters, double[] gradient);

        /** Returns the parameters with the optimizer's state, for Flink's keyed state. */
        RecurrentModelState save(double[] parameters);
    }

    /**
     * Returns an optimizer for {@code size} parameters, with the state of {@code saved} when it is
     * not null.
     *
     * @param learningRate the step size of either optimizer
     * @param decay RMSProp's decay of the mean square; unused by Adam
     */
    Stepper create(double learningRate, double decay, int size, RecurrentModelState saved) {
        return switch (this) {
            case RMSPROP -> {
                RmsProp rmsProp =
                        new RmsProp(learningRate, decay, RecurrentTrainerSettings.EPSILON, size);
                if (saved != null) {
                    rmsProp.restore(saved.updates, saved.meanSquare);
                }
                yield new Stepper() {
                    @Override
                    public void update(double[] parameters, double[] gradient) {
                        rmsProp.update(parameters, gradient);
                    }

                    @Override
                    public RecurrentModelState save(double[] parameters) {
                        return new RecurrentModelState(
                                parameters, rmsProp.meanSquare(), null, rmsProp.iteration());
                    }
                };
            }
            case ADAM -> {
                Adam adam =
                        new Adam(
                                learningRate,
                                ADAM_BETA1,
                                ADAM_BETA2,
                                RecurrentTrainerSettings.EPSILON,
                                size,
                                DataType.DOUBLE);
                if (saved != null) {
                    adam.restore(
                            saved.updates,
                            Nd4j.createFromArray(saved.firstMoment),
                            Nd4j.createFromArray(saved.meanSquare));
                }
                yield new Stepper() {
                    @Override
                    public void update(double[] parameters, double[] gradient) {
                        adam.update(parameters, gradient);
                    }

                    @Override
                    public RecurrentModelState save(double[] parameters) {
                        return new RecurrentModelState(
                                parameters,
                                adam.secondMoment().toDoubleVector(),
                                adam.firstMoment().toDoubleVector(),
                                adam.iteration());
                    }
                };
            }
            default ->
                    throw new IllegalStateException(
                            optionName + " takes Hessian-free steps, not gradient updates");
        };
    }
}
