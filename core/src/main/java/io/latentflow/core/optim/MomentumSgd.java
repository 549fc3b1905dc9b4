package io.latentflow.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stochastic gradient descent with classical (heavy-ball) momentum, the first-order baseline of the
 * Hessian-free literature (Sutskever et al., <a
 * href="https://proceedings.mlr.press/v28/sutskever13.html">On the importance of initialization and
 * momentum in deep learning</a>): v = mu v - eta g, then theta = theta + v. A momentum of 0 is
 * plain SGD.
 *
 * <p>The velocity has the parameters' data type and length. Instances are not thread-safe.
 */
public final class MomentumSgd {
    private final double learningRate;
    private final double momentum;
    private final INDArray velocity;
    private long iteration;

    /**
     * Creates an optimizer with zero velocity.
     *
     * @param learningRate the step size eta, positive
     * @param momentum the velocity's decay mu, in [0, 1)
     * @param parameters the flat parameter vector it will update, for its length and data type
     */
    public MomentumSgd(double learningRate, double momentum, INDArray parameters) {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be positive: " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1): " + momentum);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.velocity = Nd4j.zeros(parameters.dataType(), parameters.length());
    }

    /**
     * Applies one step to parameters in place.
     *
     * @param parameters flat parameter vector of this optimizer's length and data type
     * @param gradient the gradient of the loss at parameters, same shape; not modified
     */
    public void update(INDArray parameters, INDArray gradient) {
        check("parameters", parameters);
        check("gradient", gradient);
        velocity.muli(momentum).subi(gradient.mul(learningRate));
        parameters.addi(velocity);
        iteration++;
    }

    private void check(String name, INDArray array) {
        if (array.length() != velocity.length() || array.dataType() != velocity.dataType()) {
            throw new IllegalArgumentException(
                    name
                            + " must be "
                            + velocity.dataType()
                            + " of "
                            + velocity.length()
                            + " entries, not "
                            + array.dataType()
                            + " of "
                            + array.length());
        }
    }

    /** Returns how many updates have been applied. */
    public long iteration() {
        return iteration;
    }

    /** Returns a copy of the velocity v. */
    public INDArray velocity() {
        return velocity.dup();
    }

    /**
     * Replaces the optimizer's state with a saved one, so that training resumes where it was.
     *
     * @param iteration number of updates applied before the state was saved
     * @param savedVelocity v, copied
     */
    public void restore(long iteration, INDArray savedVelocity) {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must not be negative: " + iteration);
        }
        if (savedVelocity.length() != velocity.length()) {
            throw new IllegalArgumentException(
                    "the saved velocity must have " + velocity.length() + " entries");
        }
        velocity.assign(savedVelocity.reshape(velocity.shape()).castTo(velocity.dataType()));
        this.iteration = iteration;
    }

    /** Returns the step size eta. */
    public double learningRate() {
        return learningRate;
    }

    /** Returns the momentum mu. */
    public double momentum() {
        return momentum;
    }
}
