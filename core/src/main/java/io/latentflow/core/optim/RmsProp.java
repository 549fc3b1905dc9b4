package io.latentflow.core.optim;

import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * RMSProp (Tieleman and Hinton, lecture 6.5 of "Neural Networks for Machine Learning", 2012), the
 * optimizer the unitary evolution RNN paper trains with (Arjovsky, Shah and Bengio, <a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>: learning rate 1e-3, decay 0.9),
 * over one flat parameter vector.
 *
 * <p>Each step divides the gradient by a running root mean square of its recent values. Epsilon is
 * added to that root, after the square root, as PyTorch's RMSprop does; the paper does not state
 * one, and {@link #DEFAULT_EPSILON} = 1e-8 matters only where the root mean square is itself below
 * about 1e-7.
 *
 * <p>The mean square lives in a float64 Java array and the update runs as one loop over it, as in
 * {@link Adam}; float32 parameters are updated in float64 and rounded once when written back.
 * Models that keep their parameters in a Java array (the unitary RNN) are updated in place through
 * {@link #update(double[], double[])}.
 *
 * <p>Instances are not thread-safe.
 */
public final class RmsProp {
    /** The paper's learning rate. */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;

    /** The paper's decay of the mean square. */
    public static final double DEFAULT_DECAY = 0.9;

    /** Added to the root mean square to bound the step where it is near zero. */
    public static final double DEFAULT_EPSILON = 1e-8;

    private final double learningRate;
    private final double decay;
    private final double epsilon;
    private final double[] meanSquare;
    private final double[] parameterCopy;
    private final double[] gradientCopy;
    private long iteration;

    /**
     * Creates an optimizer with a zero mean square for a parameter vector of the given size.
     *
     * @param learningRate the step size, positive
     * @param decay weight of the old mean square in each update, in [0, 1)
     * @param epsilon added to the root mean square, positive
     * @param size number of parameters
     */
    public RmsProp(double learningRate, double decay, double epsilon, long size) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be positive: " + learningRate);
        }
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("decay must be in [0, 1): " + decay);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be positive: " + epsilon);
        }
        this.learningRate = learningRate;
        this.decay = decay;
        this.epsilon = epsilon;
        int length = Math.toIntExact(size);
        this.meanSquare = new double[length];
        this.parameterCopy = new double[length];
        this.gradientCopy = new double[length];
    }

    /** Creates the paper's optimizer: learning rate 1e-3, decay 0.9, epsilon 1e-8. */
    public static RmsProp withPaperSettings(long size) {
        return new RmsProp(DEFAULT_LEARNING_RATE, DEFAULT_DECAY, DEFAULT_EPSILON, size);
    }

    /**
     * Applies one step to parameters held in a Java array, in place.
     *
     * @param parameters this optimizer's size of parameters
     * @param gradient the gradient of the loss with respect to them, not modified
     */
    public void update(double[] parameters, double[] gradient) {
        if (parameters.length != meanSquare.length || gradient.length != meanSquare.length) {
            throw new IllegalArgumentException(
                    "parameters and gradient must have "
                            + meanSquare.length
                            + " entries, not "
                            + parameters.length
                            + " and "
                            + gradient.length);
        }
        step(parameters, gradient);
    }

    /**
     * Applies one step to an ND4J parameter vector, in place.
     *
     * @param parameters flat FLOAT or DOUBLE vector of this optimizer's size, owning its whole
     *     buffer (not a view)
     * @param gradient flat gradient, same size and type, not modified
     */
    public void update(INDArray parameters, INDArray gradient) {
        checkWholeVector("parameters", parameters);
        checkWholeVector("gradient", gradient);
        if (parameters.dataType() != gradient.dataType()) {
            throw new IllegalArgumentException(
                    "parameters are "
                            + parameters.dataType()
                            + ", gradient "
                            + gradient.dataType());
        }
        boolean single = parameters.dataType() == DataType.FLOAT;
        read(parameters, parameterCopy, single);
        read(gradient, gradientCopy, single);
        step(parameterCopy, gradientCopy);
        if (single) {
            var buffer = parameters.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < parameterCopy.length; i++) {
                buffer.put(i, (float) parameterCopy[i]);
            }
        } else {
            parameters
                    .data()
                    .asNio()
                    .order(ByteOrder.nativeOrder())
                    .asDoubleBuffer()
                    .put(parameterCopy);
        }
    }

    private void step(double[] p, double[] g) {
        double keep = 1 - decay;
        double[] v = meanSquare;
        // v = decay * v + (1 - decay) * g^2
        // p = p - learningRate * g / (sqrt(v) + epsilon)
        for (int i = 0; i < p.length; i++) {
            double gi = g[i];
            double vi = decay * v[i] + keep * gi * gi;
            v[i] = vi;
            p[i] -= learningRate * gi / (Math.sqrt(vi) + epsilon);
        }
        iteration++;
    }

    private static void read(INDArray array, double[] target, boolean single) {
        if (single) {
            var buffer = array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < target.length; i++) {
                target[i] = buffer.get(i);
            }
        } else {
            array.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer().get(target);
        }
    }

    private void checkWholeVector(String name, INDArray array) {
        if (array.length() != meanSquare.length) {
            throw new IllegalArgumentException(
                    name + " must have " + meanSquare.length + " entries, not " + array.length());
        }
        if (array.dataType() != DataType.FLOAT && array.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException(
                    name + " must be FLOAT or DOUBLE, not " + array.dataType());
        }
        if (array.isView() || array.offset() != 0 || array.data().length() != meanSquare.length) {
            throw new IllegalArgumentException(name + " must own its whole buffer, not a view");
        }
    }

    /** Returns how many updates have been applied. */
    public long iteration() {
        return iteration;
    }

    /** Returns a copy of the running mean square of the gradient. */
    public double[] meanSquare() {
        return meanSquare.clone();
    }

    /**
     * Replaces the optimizer's state with a saved one, so that training resumes where it was.
     *
     * @param iteration number of updates applied before the state was saved
     * @param savedMeanSquare the mean square, copied
     */
    public void restore(long iteration, double[] savedMeanSquare) {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must not be negative: " + iteration);
        }
        if (savedMeanSquare.length != meanSquare.length) {
            throw new IllegalArgumentException(
                    "the saved mean square must have " + meanSquare.length + " entries");
        }
        System.arraycopy(savedMeanSquare, 0, meanSquare, 0, meanSquare.length);
        this.iteration = iteration;
    }

    /** Returns the step size. */
    public double learningRate() {
        return learningRate;
    }
}
