package io.latentflow.job.cli;

import io.latentflow.core.model.AdversarialBatch;
import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.core.model.AdversarialStepResult;
import io.latentflow.core.model.GeneratorCost;
import io.latentflow.core.model.InstanceNoise;
import io.latentflow.core.model.NoiseSchedule;
import io.latentflow.schema.DiscriminatorProbe;
import io.latentflow.schema.ModelSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The targeted experiment of Arjovsky and Bottou (<a
 * href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>, section 2.3, figures 1 to 3): the
 * generator of a snapshot is frozen, a discriminator starts again from random weights and trains
 * against it for a number of iterations, and after each update the generator's gradient is measured
 * under both costs.
 *
 * <p>The paper's argument is that a discriminator trained towards optimality against a generator
 * whose samples lie apart from the data separates the two perfectly; then the original cost's
 * gradient vanishes, while the -log D cost's gradient keeps its size but its variance grows. With
 * instance noise the two distributions overlap, the discriminator cannot become perfect, and the
 * gradients should stay usable. One probe is one snapshot under one noise level.
 */
final class FrozenGeneratorProbe {
    private static final Logger LOG = LoggerFactory.getLogger(FrozenGeneratorProbe.class);

    /** What one snapshot under one noise level gave. */
    record Outcome(
            ModelSnapshot snapshot,
            double instanceNoiseSigma,
            double[] accuracyPerIteration,
            List<DiscriminatorProbe> measurements) {}

    private final String probeRunId;
    private final long seed;
    private final long discriminatorSeed;
    private final int iterations;
    private final int measureEvery;
    private final int batchSize;

    /**
     * @param probeRunId the probe run, named in every record
     * @param seed the probe's seed, recorded with every measurement
     * @param discriminatorSeed the seed of the fresh discriminator's weights, the same for every
     *     snapshot and noise level so that they start alike
     * @param iterations discriminator updates per snapshot and noise level
     * @param measureEvery measure the gradients every this many iterations, and at the first and
     *     the last
     * @param batchSize examples per mini-batch
     */
    FrozenGeneratorProbe(
            String probeRunId,
            long seed,
            long discriminatorSeed,
            int iterations,
            int measureEvery,
            int batchSize) {
        this.probeRunId = probeRunId;
        this.seed = seed;
        this.discriminatorSeed = discriminatorSeed;
        this.iterations = iterations;
        this.measureEvery = measureEvery;
        this.batchSize = batchSize;
    }

    /**
     * Trains a fresh discriminator against the snapshot's generator on the batches the reader
     * gives, and hands each measurement to {@code each} as it is made.
     */
    Outcome run(
            ModelSnapshot snapshot,
            double sigma,
            ProbeBatchReader reader,
            Consumer<DiscriminatorProbe> each)
            throws IOException {
        AdversarialConfig config = AdversarialConfig.fromDescription(snapshot.getConfiguration());
        AdversarialModel model =
                AdversarialModel.fromParameters(config, RunOutputs.parametersOf(snapshot));
        model.reinitializeDiscriminator(discriminatorSeed);
        InstanceNoise noise = noiseOf(snapshot, sigma);

        double[] accuracy = new double[iterations];
        List<DiscriminatorProbe> measurements = new ArrayList<>();
        int done = 0;
        while (done < iterations) {
            ProbeBatchReader.ProbeBatch next = reader.next();
            if (next == null) {
                LOG.warn(
                        "Probe {}: the streams ran out after {} of {} iterations on step {} of"
                                + " run {}",
                        probeRunId,
                        done,
                        iterations,
                        snapshot.getStep(),
                        snapshot.getRunId());
                break;
            }
            done++;
            AdversarialBatch batch = withNoise(next, noise, model, config);
            AdversarialStepResult update = model.trainDiscriminator(batch);
            accuracy[done - 1] = update.discriminatorAccuracy();
            if (measured(done)) {
                DiscriminatorProbe measurement =
                        measure(model, batch, update, next, snapshot, sigma, done, reader);
                measurements.add(measurement);
                each.accept(measurement);
            }
        }
        return new Outcome(snapshot, sigma, Arrays.copyOf(accuracy, done), measurements);
    }

    /** The noise level given, on the code part too where the snapshot's run noised it. */
    private static InstanceNoise noiseOf(ModelSnapshot snapshot, double sigma) {
        boolean onCode = InstanceNoise.fromDescription(snapshot.getConfiguration()).onCode();
        return new InstanceNoise(sigma, NoiseSchedule.CONSTANT, 0, onCode);
    }

    private static AdversarialBatch withNoise(
            ProbeBatchReader.ProbeBatch next,
            InstanceNoise noise,
            AdversarialModel model,
            AdversarialConfig config) {
        int dataColumns = config.dataDim();
        return next.batch()
                .withInstanceNoise(
                        noise.sample(
                                next.noiseSeeds(),
                                0,
                                dataColumns,
                                model.discriminatorInputs() - dataColumns,
                                DataType.FLOAT));
    }

    /** Whether an iteration, counting from 1, is one whose gradients are measured. */
    boolean measured(int iteration) {
        return iteration == 1 || iteration % measureEvery == 0 || iteration == iterations;
    }

    private DiscriminatorProbe measure(
            AdversarialModel model,
            AdversarialBatch batch,
            AdversarialStepResult update,
            ProbeBatchReader.ProbeBatch next,
            ModelSnapshot snapshot,
            double sigma,
            int iteration,
            ProbeBatchReader reader) {
        // Both norms with the discriminator as this iteration's update left it, on the same batch
        // and noise: the gradient the generator would receive if it were trained now.
        double minimax = model.evaluate(batch, GeneratorCost.MINIMAX).generatorSideGradNorm();
        double nonSaturating =
                model.evaluate(batch, GeneratorCost.NON_SATURATING).generatorSideGradNorm();
        return DiscriminatorProbe.newBuilder()
                .setProbeRunId(probeRunId)
                .setSnapshotRunId(snapshot.getRunId())
                .setSnapshotStep(snapshot.getStep())
                .setSnapshotParameterHash(snapshot.getParameterHash())
                .setModel(snapshot.getModel())
                .setSeed(seed)
                .setBatchSize(batchSize)
                .setInstanceNoiseSigma(sigma)
                .setIteration(iteration)
                .setApplied(update.applied())
                .setDiscriminatorLoss(update.discriminatorLoss())
                .setDiscriminatorAccuracy(update.discriminatorAccuracy())
                .setRealAccuracy(update.realAccuracy())
                .setFakeAccuracy(update.fakeAccuracy())
                .setGeneratorGradNormMinimax(minimax)
                .setGeneratorGradNormNonSaturating(nonSaturating)
                .setDataOffset(next.dataOffset())
                .setLatentOffset(next.latentOffset())
                .setSkippedRecords(reader.skippedRecords())
                .build();
    }
}
