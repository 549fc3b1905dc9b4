package io.latentflow.core.model;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.GradientTarget;
import io.latentflow.core.nn.ROperatorPass;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The loss, gradient and exact curvature products of one {@link AdversarialPlayer} of an {@link
 * AdversarialModel}, at the model's current parameters on one {@link AdversarialBatch} with its
 * encoder noise and instance-noise draws, by Pearlmutter's R-operator forward-over-reverse (<a
 * href="https://doi.org/10.1162/neco.1994.6.1.147">Fast exact multiplication by the Hessian</a>),
 * as the saddle-free Hessian-free method of Arjovsky (<a
 * href="https://arxiv.org/abs/1506.00059">arXiv:1506.00059</a>) needs. No matrix is formed.
 *
 * <p>The discriminator's L_D is an ordinary network loss on its 2B logits, with d2L_D/dl2 =
 * sigmoid(l) sigmoid(-l) / B for every logit l, real or generated.
 *
 * <p>The generator's cost reaches its parameters only through the discriminator, which is held
 * fixed. H v is carried through it: the generator's forward R-pass gives R{G(z)} (for ALI also the
 * encoder's R{mu} and R{log sigma}, so R{z_hat} = R{mu} + sigma eps R{log sigma}), which is the
 * tangent of the discriminator's input; the discriminator's forward R-pass, with no direction on
 * its own parameters, gives R{l}; the cost's second derivative at the logit gives R{dC/dl}; the
 * discriminator's backward R-pass gives R{dC/dx_D}, second-order terms in its input included (its
 * LeakyReLU has none; the sigmoid of the generator's output and the exp of the encoder's scale do);
 * and that pair (dC/dx_D, R{dC/dx_D}) starts the backward R-pass of the generator and the encoder.
 * Instance noise is a constant added to the discriminator's input, so it moves its activations but
 * not the tangents.
 *
 * <p>The Gauss-Newton product is J^T |d2C/dl2| J v, with J the Jacobian of the logits with respect
 * to the player's parameters, through the discriminator for the generator. The absolute value
 * matters only for the minimax cost, -softplus(f) and -softplus(-r), which is concave in the logit:
 * its own J^T C'' J is negative semi-definite, and conjugate gradients on (G + lambda I) d = -g
 * stop at the first direction of non-positive curvature, so the step would be all damping. |C''| =
 * sigmoid(l) sigmoid(-l) is exactly the non-saturating cost's second derivative at the same logits,
 * so the matrix is the non-saturating cost's Gauss-Newton matrix, positive semi-definite, used as
 * the curvature of the minimax gradient; the reduction ratio and the damping then say how well it
 * models the minimax cost. For the non-saturating cost and for L_D the absolute value changes
 * nothing.
 *
 * <p>The activations are computed when the instance is made and the backward passes read the
 * networks' weights live, so the parameters must stay where they were. Instances are not
 * thread-safe.
 */
public final class AdversarialCurvature {
    private final AdversarialPlayer player;
    private final boolean ali;
    private final int size;
    private final int dataDim;
    private final int latentDim;
    private final int inputWidth;
    private final FeedForwardNetwork generator;
    private final FeedForwardNetwork encoder;
    private final FeedForwardNetwork discriminator;
    private final ROperatorPass generatorPass;
    private final ROperatorPass encoderPass;
    private final ROperatorPass discriminatorPass;

    /** exp(log sigma) * eps [B, latentDim], ALI's dz_hat / d(log sigma); null for a GAN. */
    private final INDArray scaledNoise;

    private final double loss;

    /** dLoss/dl [2B, 1] for the player's loss. */
    private final INDArray logitGradient;

    /** d2Loss/dl2 [2B, 1]. */
    private final INDArray logitCurvature;

    private ROperatorPass.Backward discriminatorBackward;
    private INDArray generatorOutputGradient;
    private ROperatorPass.Backward generatorBackward;
    private INDArray codeGradient;
    private INDArray encoderOutputGradient;
    private ROperatorPass.Backward encoderBackward;
    private long productCount;

    /**
     * Runs every network's forward pass at the model's current parameters.
     *
     * @param model the model, whose generator cost is the generator's loss
     * @param batch the examples with their draws; ALI needs its encoder noise
     * @param player whose loss and parameters the products are of
     */
    public AdversarialCurvature(
            AdversarialModel model, AdversarialBatch batch, AdversarialPlayer player) {
        this.player = player;
        this.ali = model instanceof Ali;
        this.size = model.checkBatch(batch, ali);
        AdversarialConfig config = model.config();
        this.dataDim = config.dataDim();
        this.latentDim = config.latentDim();
        this.inputWidth = model.discriminatorInputs();
        this.generator = model.network(AdversarialModel.GENERATOR);
        this.encoder = ali ? model.network(AdversarialModel.ENCODER) : null;
        this.discriminator = model.network(AdversarialModel.DISCRIMINATOR);

        INDArray data = model.inDataType(batch.data());
        INDArray prior = model.inDataType(batch.prior());
        INDArray input = Nd4j.create(model.dataType(), 2L * size, inputWidth);
        this.generatorPass = new ROperatorPass(generator, prior);
        block(input, size, 2 * size, 0, dataDim).assign(generatorPass.output());
        block(input, 0, size, 0, dataDim).assign(data);
        if (ali) {
            // z_hat = mu + exp(log sigma) * eps; (x, z_hat) in the first B rows, (G(z), z) after.
            this.encoderPass = new ROperatorPass(encoder, data);
            INDArray encoded = encoderPass.output();
            this.scaledNoise = Nd4j.create(model.dataType(), size, latentDim);
            Nd4j.exec(new Exp(block(encoded, 0, size, latentDim, 2 * latentDim), scaledNoise));
            scaledNoise.muli(model.inDataType(batch.encoderNoise()));
            block(input, 0, size, dataDim, inputWidth)
                    .assign(block(encoded, 0, size, 0, latentDim).add(scaledNoise));
            block(input, size, 2 * size, dataDim, inputWidth).assign(prior);
        } else {
            this.encoderPass = null;
            this.scaledNoise = null;
        }
        if (batch.instanceNoise() != null) {
            input.addi(model.inDataType(batch.instanceNoise()));
        }
        this.discriminatorPass = new ROperatorPass(discriminator, input);

        double[] logits = discriminatorPass.output().toDoubleVector();
        GeneratorCost cost = config.generatorCost();
        AdversarialObjective objective = new AdversarialObjective(logits, cost, ali);
        double[] curvature = new double[2 * size];
        for (int i = 0; i < size; i++) {
            double real = logits[i];
            double fake = logits[size + i];
            if (player == AdversarialPlayer.DISCRIMINATOR) {
                curvature[i] = GeneratorCost.logisticCurvature(real) / size;
                curvature[size + i] = GeneratorCost.logisticCurvature(fake) / size;
            } else {
                curvature[i] = ali ? cost.encodedCurvature(real) / size : 0;
                curvature[size + i] = cost.generatedCurvature(fake) / size;
            }
        }
        long[] logitShape = {2L * size, 1};
        boolean discriminatorSide = player == AdversarialPlayer.DISCRIMINATOR;
        this.loss = discriminatorSide ? objective.discriminatorLoss : objective.generatorLoss;
        this.logitGradient =
                Nd4j.create(
                        discriminatorSide
                                ? objective.discriminatorLogitGradient
                                : objective.generatorLogitGradient,
                        logitShape,
                        model.dataType());
        this.logitCurvature = Nd4j.create(curvature, logitShape, model.dataType());
    }

    private static INDArray block(
            INDArray array, int rowStart, int rowEnd, int colStart, int colEnd) {
        return Ali.block(array, rowStart, rowEnd, colStart, colEnd);
    }

    /** Returns the player's loss: L_D, or the generator's cost. */
    public double loss() {
        return loss;
    }

    /** Returns the player, whose parameters the gradient and the products are over. */
    public AdversarialPlayer player() {
        return player;
    }

    /**
     * Returns the length of the player's flat parameter vector: the discriminator's, or the
     * generator's followed for ALI by the encoder's.
     */
    public long parameterCount() {
        if (player == AdversarialPlayer.DISCRIMINATOR) {
            return discriminator.parameterCount();
        }
        return generator.parameterCount() + (ali ? encoder.parameterCount() : 0);
    }

    /** Returns the discriminator's 2B logits [2B, 1], real pairs first; not to be modified. */
    INDArray logits() {
        return discriminatorPass.output();
    }

    /** Returns |d2Loss/dl2| [2B, 1], the weights of the Gauss-Newton matrix, in a new array. */
    INDArray logitCurvatureWeights() {
        return Transforms.abs(logitCurvature, true);
    }

    /** Returns how many Hessian or Gauss-Newton products this instance has computed. */
    public long productCount() {
        return productCount;
    }

    /** Returns the gradient of the player's loss over its flat parameters, in a new array. */
    public INDArray gradient() {
        ensureBackward();
        if (player == AdversarialPlayer.DISCRIMINATOR) {
            return discriminatorBackward.parameterGradient().dup();
        }
        return generatorSide(
                generatorBackward.parameterGradient(),
                ali ? encoderBackward.parameterGradient() : null);
    }

    /**
     * Returns H v, the Hessian of the player's loss over its flat parameters times v.
     *
     * @param direction flat vector of {@link #parameterCount()} entries of the model's data type
     */
    public INDArray hessianTimes(INDArray direction) {
        checkDirection(direction);
        ensureBackward();
        productCount++;
        if (player == AdversarialPlayer.DISCRIMINATOR) {
            ROperatorPass.Tangent tangent = discriminatorPass.forward(direction, null);
            INDArray logitGradientR = tangent.outputTangent().mul(logitCurvature);
            return discriminatorPass
                    .backwardTangent(
                            tangent,
                            discriminatorBackward,
                            logitGradient,
                            logitGradientR,
                            GradientTarget.PARAMETERS)
                    .parameterGradient();
        }

        GeneratorTangents tangents = generatorTangents(direction);
        INDArray logitGradientR = tangents.discriminator.outputTangent().mul(logitCurvature);
        INDArray inputGradientR =
                discriminatorPass
                        .backwardTangent(
                                tangents.discriminator,
                                discriminatorBackward,
                                logitGradient,
                                logitGradientR,
                                GradientTarget.INPUT)
                        .inputGradient();
        INDArray generatorProduct =
                generatorPass
                        .backwardTangent(
                                tangents.generator,
                                generatorBackward,
                                generatorOutputGradient,
                                block(inputGradientR, size, 2 * size, 0, dataDim).dup(),
                                GradientTarget.PARAMETERS)
                        .parameterGradient();
        if (!ali) {
            return generatorProduct;
        }
        // With g = dC/dz_hat: dC/dmu = g and dC/d(log sigma) = g sigma eps, so
        // R(dC/dmu) = R g and R(dC/d(log sigma)) = R g sigma eps + g sigma eps R(log sigma).
        INDArray codeGradientR = block(inputGradientR, 0, size, dataDim, inputWidth).dup();
        INDArray logSigmaGradientR =
                codeGradientR
                        .mul(scaledNoise)
                        .addi(codeGradient.mul(scaledNoise).muli(tangents.logSigma));
        INDArray encoderProduct =
                encoderPass
                        .backwardTangent(
                                tangents.encoder,
                                encoderBackward,
                                encoderOutputGradient,
                                Nd4j.hstack(codeGradientR, logSigmaGradientR),
                                GradientTarget.PARAMETERS)
                        .parameterGradient();
        return generatorSide(generatorProduct, encoderProduct);
    }

    /**
     * Returns G v, the Gauss-Newton matrix J^T |d2Loss/dl2| J of the player's loss times v, J the
     * Jacobian of the logits over the player's flat parameters (see the class's note on the
     * absolute value).
     *
     * @param direction flat vector of {@link #parameterCount()} entries of the model's data type
     */
    public INDArray gaussNewtonTimes(INDArray direction) {
        checkDirection(direction);
        productCount++;
        INDArray weights = logitCurvatureWeights();
        if (player == AdversarialPlayer.DISCRIMINATOR) {
            ROperatorPass.Tangent tangent = discriminatorPass.forward(direction, null);
            return discriminatorPass
                    .backward(tangent.outputTangent().mul(weights), GradientTarget.PARAMETERS)
                    .parameterGradient();
        }
        GeneratorTangents tangents = generatorTangents(direction);
        INDArray inputGradient =
                discriminatorPass
                        .backward(
                                tangents.discriminator.outputTangent().mul(weights),
                                GradientTarget.INPUT)
                        .inputGradient();
        INDArray generatorProduct =
                generatorPass
                        .backward(
                                block(inputGradient, size, 2 * size, 0, dataDim).dup(),
                                GradientTarget.PARAMETERS)
                        .parameterGradient();
        if (!ali) {
            return generatorProduct;
        }
        INDArray code = block(inputGradient, 0, size, dataDim, inputWidth).dup();
        INDArray encoderProduct =
                encoderPass
                        .backward(
                                Nd4j.hstack(code, code.mul(scaledNoise)), GradientTarget.PARAMETERS)
                        .parameterGradient();
        return generatorSide(generatorProduct, encoderProduct);
    }

    /** The forward R-passes of the generator side, through the frozen discriminator. */
    private record GeneratorTangents(
            ROperatorPass.Tangent generator,
            ROperatorPass.Tangent encoder,
            INDArray logSigma,
            ROperatorPass.Tangent discriminator) {}

    private GeneratorTangents generatorTangents(INDArray direction) {
        long generatorCount = generator.parameterCount();
        INDArray flat = direction.reshape(direction.length());
        INDArray generatorDirection = flat.get(NDArrayIndex.interval(0, generatorCount)).dup();
        ROperatorPass.Tangent generatorTangent = generatorPass.forward(generatorDirection, null);

        // R x_D: R G(z) in the generated rows' data part, R z_hat in the encoder rows' code part.
        INDArray inputTangent =
                Nd4j.zeros(discriminatorPass.output().dataType(), 2L * size, inputWidth);
        block(inputTangent, size, 2 * size, 0, dataDim).assign(generatorTangent.outputTangent());
        ROperatorPass.Tangent encoderTangent = null;
        INDArray logSigmaTangent = null;
        if (ali) {
            INDArray encoderDirection =
                    flat.get(NDArrayIndex.interval(generatorCount, flat.length())).dup();
            encoderTangent = encoderPass.forward(encoderDirection, null);
            INDArray encodedTangent = encoderTangent.outputTangent();
            logSigmaTangent = block(encodedTangent, 0, size, latentDim, 2 * latentDim).dup();
            // R z_hat = R mu + exp(log sigma) eps R(log sigma)
            block(inputTangent, 0, size, dataDim, inputWidth)
                    .assign(
                            block(encodedTangent, 0, size, 0, latentDim)
                                    .add(logSigmaTangent.mul(scaledNoise)));
        }
        ROperatorPass.Tangent discriminatorTangent = discriminatorPass.forward(null, inputTangent);
        return new GeneratorTangents(
                generatorTangent, encoderTangent, logSigmaTangent, discriminatorTangent);
    }

    /** The backward passes of the gradient, which the backward R-passes start from. */
    private void ensureBackward() {
        if (discriminatorBackward != null) {
            return;
        }
        if (player == AdversarialPlayer.DISCRIMINATOR) {
            discriminatorBackward =
                    discriminatorPass.backward(logitGradient, GradientTarget.PARAMETERS);
            return;
        }
        discriminatorBackward = discriminatorPass.backward(logitGradient, GradientTarget.INPUT);
        INDArray inputGradient = discriminatorBackward.inputGradient();
        generatorOutputGradient = block(inputGradient, size, 2 * size, 0, dataDim).dup();
        generatorBackward =
                generatorPass.backward(generatorOutputGradient, GradientTarget.PARAMETERS);
        if (ali) {
            // dC/dmu = dC/dz_hat and dC/d(log sigma) = dC/dz_hat * exp(log sigma) * eps
            codeGradient = block(inputGradient, 0, size, dataDim, inputWidth).dup();
            encoderOutputGradient = Nd4j.hstack(codeGradient, codeGradient.mul(scaledNoise));
            encoderBackward =
                    encoderPass.backward(encoderOutputGradient, GradientTarget.PARAMETERS);
        }
    }

    private INDArray generatorSide(INDArray generatorPart, INDArray encoderPart) {
        if (encoderPart == null) {
            return generatorPart.dup();
        }
        return Nd4j.concat(0, generatorPart, encoderPart);
    }

    private void checkDirection(INDArray direction) {
        if (direction.length() != parameterCount()
                || direction.dataType() != discriminatorPass.output().dataType()) {
            throw new IllegalArgumentException(
                    player
                            + " direction must hold "
                            + parameterCount()
                            + " "
                            + discriminatorPass.output().dataType()
                            + " entries, not "
                            + direction.length()
                            + " "
                            + direction.dataType());
        }
    }
}
