package io.latentflow.core.model;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.optim.SecondOrderObjective;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The {@link SecondOrderObjective} of one {@link AdversarialPlayer} of an {@link AdversarialModel}
 * on one step's batches, the other player frozen, with {@link AdversarialCurvature}'s products.
 *
 * <p>The player's parameters may span two networks (ALI's generator and encoder), so the objective
 * keeps them in one flat vector of its own and copies it into the networks before every evaluation
 * and every product; products therefore always see the point the optimizer has put there. After an
 * optimizer step, {@link #parameters()} and the networks agree.
 */
public final class AdversarialPlayerObjective implements SecondOrderObjective {
    private final AdversarialModel model;
    private final AdversarialPlayer player;
    private final List<FeedForwardNetwork> networks = new ArrayList<>();
    private final INDArray parameters;
    private AdversarialBatch gradientBatch;
    private AdversarialBatch curvatureBatch;

    /**
     * Creates the objective over the player's current parameters.
     *
     * @param model the model, whose other player stays as it is
     * @param player whose parameters the objective optimizes
     * @param gradientBatch examples for the loss, the gradient and the line search
     * @param curvatureBatch examples for the curvature products, such as the first rows of the
     *     gradient batch ({@link AdversarialBatch#firstRows})
     */
    public AdversarialPlayerObjective(
            AdversarialModel model,
            AdversarialPlayer player,
            AdversarialBatch gradientBatch,
            AdversarialBatch curvatureBatch) {
        this.model = model;
        this.player = player;
        if (player == AdversarialPlayer.DISCRIMINATOR) {
            networks.add(model.network(AdversarialModel.DISCRIMINATOR));
        } else {
            networks.add(model.network(AdversarialModel.GENERATOR));
            if (model instanceof Ali) {
                networks.add(model.network(AdversarialModel.ENCODER));
            }
        }
        INDArray[] flats =
                networks.stream().map(FeedForwardNetwork::parameters).toArray(INDArray[]::new);
        this.parameters = flats.length == 1 ? flats[0].dup() : Nd4j.concat(0, flats);
        this.gradientBatch = gradientBatch;
        this.curvatureBatch = curvatureBatch;
    }

    /** Copies the objective's flat vector into the player's networks. */
    public void copyToNetworks() {
        long offset = 0;
        for (FeedForwardNetwork network : networks) {
            long count = network.parameterCount();
            network.parameters()
                    .assign(parameters.get(NDArrayIndex.interval(offset, offset + count)));
            offset += count;
        }
    }

    @Override
    public INDArray parameters() {
        return parameters;
    }

    @Override
    public double loss() {
        copyToNetworks();
        return new AdversarialCurvature(model, gradientBatch, player).loss();
    }

    @Override
    public INDArray gradient() {
        copyToNetworks();
        return new AdversarialCurvature(model, gradientBatch, player).gradient();
    }

    @Override
    public Curvature curvature() {
        copyToNetworks();
        AdversarialCurvature curvature = new AdversarialCurvature(model, curvatureBatch, player);
        return new Curvature() {
            @Override
            public INDArray hessianTimes(INDArray direction) {
                copyToNetworks();
                return curvature.hessianTimes(direction);
            }

            @Override
            public INDArray gaussNewtonTimes(INDArray direction) {
                copyToNetworks();
                return curvature.gaussNewtonTimes(direction);
            }
        };
    }
}
