package io.latentflow.core.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam, the stochastic optimizer of Kingma and Ba (<a
 * href="https://arxiv.org/abs/1412.6980">arXiv:1412.6980</a>), over one flat parameter vector.
 *
 * <p>The update is the paper's efficient form (end of its section 2), in which epsilon is added to
 * sqrt(v) before the bias correction is folded into the step size. PyTorch adds epsilon after the
 * correction instead; with epsilon = 1e-8 the two differ only where sqrt(v) is itself near 1e-8.
 *
 * <p>Instances are not thread-safe.
 */
public final class Adam {
    /** The epsilon the paper recommends. */
    public static final double DEFAULT_EPSILON = 1e-8;

    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final INDArray firstMoment;
    private final INDArray secondMoment;
    private long iteration;

    /**
     * Creates an optimizer with zero moments for a parameter vector of the given size.
     *
     * @param learningRate the step size alpha, positive
     * @param beta1 decay of the first-moment estimate, in [0, 1)
     * @param beta2 decay of the second-moment estimate, in [0, 1)
     * @param epsilon added to sqrt(v) to bound the step where v is near zero, positive
     * @param size number of parameters
     * @param dataType FLOAT or DOUBLE, matching the parameters
     */
    public Adam(
            double learningRate,
            double beta1,
            double beta2,
            double epsilon,
            long size,
            DataType dataType) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be positive: " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(
                    "beta1 and beta2 must be in [0, 1): " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be positive: " + epsilon);
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.firstMoment = Nd4j.zeros(dataType, size);
        this.secondMoment = Nd4j.zeros(dataType, size);
    }

    /**
     * Applies one Adam step to parameters in place. The gradient array is overwritten with the step
     * that was subtracted.
     *
     * @param parameters flat parameter vector of this optimizer's size and data type
     * @param gradient flat gradient of the loss with respect to parameters, same size and type
     */
    public void update(INDArray parameters, INDArray gradient) {
        long size = firstMoment.length();
        if (parameters.length() != size || gradient.length() != size) {
            throw new IllegalArgumentException(
                    "parameters and gradient must have "
                            + size
                            + " entries, not "
                            + parameters.length()
                            + " and "
                            + gradient.length());
        }
        DataType dataType = firstMoment.dataType();
        if (parameters.dataType() != dataType || gradient.dataType() != dataType) {
            throw new IllegalArgumentException("parameters and gradient must be " + dataType);
        }

        // With t = iteration + 1:
        //   m = beta1 * m + (1 - beta1) * g
        //   v = beta2 * v + (1 - beta2) * g^2
        //   step = learningRate * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon)
        //   parameters = parameters - step
        // The fused kernel does the first three lines in one pass and leaves step in gradient.
        Nd4j.exec(
                new AdamUpdater(
                        gradient,
                        secondMoment,
                        firstMoment,
                        learningRate,
                        beta1,
                        beta2,
                        epsilon,
                        Math.toIntExact(iteration)));
        parameters.subi(gradient);
        iteration++;
    }

    /** Returns how many updates have been applied. */
    public long iteration() {
        return iteration;
    }

    /** Returns the first-moment estimate m, live. */
    public INDArray firstMoment() {
        return firstMoment;
    }

    /** Returns the second-moment estimate v, live. */
    public INDArray secondMoment() {
        return secondMoment;
    }

    /**
     * Replaces the optimizer's state with a saved one, so that training resumes where it was.
     *
     * @param iteration number of updates applied before the state was saved
     * @param savedFirstMoment m, copied
     * @param savedSecondMoment v, copied
     */
    public void restore(long iteration, INDArray savedFirstMoment, INDArray savedSecondMoment) {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must not be negative: " + iteration);
        }
        if (savedFirstMoment.length() != firstMoment.length()
                || savedSecondMoment.length() != secondMoment.length()) {
            throw new IllegalArgumentException(
                    "saved moments must have " + firstMoment.length() + " entries");
        }
        firstMoment.assign(savedFirstMoment);
        secondMoment.assign(savedSecondMoment);
        this.iteration = iteration;
    }

    /** Returns the step size alpha. */
    public double learningRate() {
        return learningRate;
    }
}
