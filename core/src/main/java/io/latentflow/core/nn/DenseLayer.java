package io.latentflow.core.nn;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected affine layer y = x W + b whose weight W [inputs, outputs] and bias b [outputs]
 * are views into a network's flat parameter vector, and whose gradients are views into the
 * network's flat gradient vector at the same offsets.
 *
 * <p>Within the flat vector a layer occupies inputs * outputs weights in row-major order followed
 * by its outputs biases. Rows of x are examples.
 */
public final class DenseLayer {
    private final int inputs;
    private final int outputs;
    private final INDArray weight;
    private final INDArray bias;
    private final INDArray weightGradient;
    private final INDArray biasGradient;
    private final INDArray biasGradientRow;

    /**
     * Creates a layer over the given flat vectors.
     *
     * @param inputs number of input features
     * @param outputs number of output features
     * @param parameters the network's flat parameter vector, which this layer's W and b alias
     * @param gradient the network's flat gradient vector, same length as parameters
     * @param offset index of this layer's first weight within both flat vectors
     */
    DenseLayer(int inputs, int outputs, INDArray parameters, INDArray gradient, long offset) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.weight = matrixView(parameters, offset);
        this.bias = vectorView(parameters, offset + (long) inputs * outputs);
        this.weightGradient = matrixView(gradient, offset);
        this.biasGradient = vectorView(gradient, offset + (long) inputs * outputs);
        this.biasGradientRow = rowView(gradient, offset + (long) inputs * outputs);
    }

    /** Returns how many entries of a flat vector a layer of this shape occupies. */
    public static long parameterCount(int inputs, int outputs) {
        return (long) inputs * outputs + outputs;
    }

    // Views are built on the flat vector's buffer directly, with explicit strides and offset,
    // so that they alias it by construction rather than by whatever a reshape decides to do.
    private INDArray matrixView(INDArray flat, long offset) {
        DataBuffer buffer = flat.data();
        return Nd4j.create(
                buffer,
                new long[] {inputs, outputs},
                new long[] {outputs, 1},
                flat.offset() + offset,
                'c',
                flat.dataType());
    }

    private INDArray vectorView(INDArray flat, long offset) {
        return Nd4j.create(
                flat.data(),
                new long[] {outputs},
                new long[] {1},
                flat.offset() + offset,
                'c',
                flat.dataType());
    }

    private INDArray rowView(INDArray flat, long offset) {
        return Nd4j.create(
                flat.data(),
                new long[] {1, outputs},
                new long[] {outputs, 1},
                flat.offset() + offset,
                'c',
                flat.dataType());
    }

    /** Writes x W + b into output, which must be [rows of x, outputs]. */
    public void forward(INDArray input, INDArray output) {
        Nd4j.gemm(input, weight, output, false, false, 1.0, 0.0);
        output.addiRowVector(bias);
    }

    /**
     * Overwrites this layer's gradient views from the gradient of a loss with respect to y.
     *
     * <p>dW = x^T dy and db = 1^T dy, the sum over rows of dy.
     *
     * @param ones a row of ones [1, rows]; the bias gradient is taken as a matrix product with it
     *     because ND4J's column sum took several times as long as that product
     */
    public void backwardParameters(INDArray input, INDArray outputGradient, INDArray ones) {
        Nd4j.gemm(input, outputGradient, weightGradient, true, false, 1.0, 0.0);
        Nd4j.gemm(ones, outputGradient, biasGradientRow, false, false, 1.0, 0.0);
    }

    /**
     * Writes the gradient with respect to x into inputGradient [rows, inputs].
     *
     * <p>dx = dy W^T.
     */
    public void backwardInput(INDArray outputGradient, INDArray inputGradient) {
        Nd4j.gemm(outputGradient, weight, inputGradient, false, true, 1.0, 0.0);
    }

    /** Returns the number of input features. */
    public int inputs() {
        return inputs;
    }

    /** Returns the number of output features. */
    public int outputs() {
        return outputs;
    }

    /** Returns the weight matrix [inputs, outputs], a live view into the flat parameters. */
    public INDArray weight() {
        return weight;
    }

    /** Returns the bias vector [outputs], a live view into the flat parameters. */
    public INDArray bias() {
        return bias;
    }

    /** Returns the weight gradient [inputs, outputs], a live view into the flat gradient. */
    public INDArray weightGradient() {
        return weightGradient;
    }

    /** Returns the bias gradient as a row [1, outputs], a live view into the flat gradient. */
    INDArray biasGradientRow() {
        return biasGradientRow;
    }

    /** Returns the bias gradient [outputs], a live view into the flat gradient. */
    public INDArray biasGradient() {
        return biasGradient;
    }
}
