package io.latentflow.job.operators;

import io.latentflow.core.optim.Adam;
import io.latentflow.core.optim.RmsProp;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The optimizers a recurrent run can train with, over the network's float64 parameter array:
 * RMSProp, the paper's choice (Arjovsky, Shah and Bengio, <a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>: learning rate 1e-3, decay 0.9), and
 * Adam (Kingma and Ba, <a href="https://arxiv.org/abs/1412.6980">arXiv:1412.6980</a>) with beta1 =
 * 0.9, beta2 = 0.999, epsilon = 1e-8. Both work on the parameter vector as a whole, so they need
 * nothing from the network but its parameters and gradient.
 */
public enum RecurrentOptimizer {
    RMSPROP,
    ADAM;

    /** Adam's decay of the first moment. */
    public static final double ADAM_BETA1 = 0.9;

    /** Adam's decay of the second moment. */
    public static final double ADAM_BETA2 = 0.999;

    /** Returns the optimizer named rmsprop or adam, in any case. */
    public static RecurrentOptimizer parse(String name) {
        for (RecurrentOptimizer optimizer : values()) {
            if (optimizer.optionName().equalsIgnoreCase(name)) {
                return optimizer;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + name + "': rmsprop or adam");
    }

    /** Returns the name on the command line and in records. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
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
        };
    }
}
