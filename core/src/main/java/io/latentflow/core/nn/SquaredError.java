package io.latentflow.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Half the squared Euclidean distance between output and target rows, averaged over rows: L = 1 /
 * (2 N) * sum (y - t)^2 for N rows. Its gradient is (y - t) / N and its Hessian is I / N.
 */
public final class SquaredError implements OutputLoss {
    @Override
    public double value(INDArray output, INDArray target) {
        double distance = output.squaredDistance(target);
        return distance / (2.0 * output.rows());
    }

    @Override
    public INDArray gradient(INDArray output, INDArray target) {
        return output.sub(target).divi(output.rows());
    }

    @Override
    public INDArray curvatureTimes(INDArray output, INDArray target, INDArray direction) {
        return direction.div(output.rows());
    }
}
