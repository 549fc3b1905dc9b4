package io.latentflow.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Counts the loss and gradient evaluations an optimizer asks of an objective. */
final class CountingObjective implements SecondOrderObjective {
    private final SecondOrderObjective delegate;
    private long losses;
    private long gradients;

    CountingObjective(SecondOrderObjective delegate) {
        this.delegate = delegate;
    }

    SecondOrderObjective delegate() {
        return delegate;
    }

    long losses() {
        return losses;
    }

    long gradients() {
        return gradients;
    }

    @Override
    public INDArray parameters() {
        return delegate.parameters();
    }

    @Override
    public double loss() {
        losses++;
        return delegate.loss();
    }

    @Override
    public INDArray gradient() {
        gradients++;
        return delegate.gradient();
    }

    @Override
    public Curvature curvature() {
        return delegate.curvature();
    }
}
