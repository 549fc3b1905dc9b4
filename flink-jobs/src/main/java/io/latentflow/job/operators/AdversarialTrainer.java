package io.latentflow.job.operators;

import io.latentflow.core.diagnostics.JensenShannonEstimate;
import io.latentflow.core.diagnostics.SaturationDetector;
import io.latentflow.core.image.PngFile;
import io.latentflow.core.model.AdversarialBatch;
import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.core.model.AdversarialStepResult;
import io.latentflow.core.model.Ali;
import io.latentflow.core.model.HessianFreeSteps;
import io.latentflow.core.model.InstanceNoise;
import io.latentflow.core.model.SecondOrderTraining;
import io.latentflow.core.optim.HessianFreeStep;
import io.latentflow.job.produce.SplitMix64;
import io.latentflow.schema.GridKind;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.SampleGrid;
import io.latentflow.schema.TrainingMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an adversarial model, ALI (Dumoulin et al., <a
 * href="https://arxiv.org/abs/1606.00704">arXiv:1606.00704</a>) or a GAN, for each run it is keyed
 * by: pairs data samples with latent draws by sequence number, and each time the next mini-batch of
 * pairs is complete performs one discriminator update and one generator (plus encoder) update.
 *
 * <p>Pairing by sequence, not by arrival, is what makes a run reproducible: whatever the
 * interleaving of the two topics, mini-batch k holds examples k*B to k*B + B - 1 with the latent
 * draws of the same numbers. Instance noise, when configured, is drawn from a seed derived from
 * each example's latent record (its run seed and sequence), so it replays from the log as well. The
 * model, its optimizer state, the saturation detector and the pending examples all live in Flink
 * keyed state.
 *
 * <p>Every step feeds the diagnostics of Arjovsky and Bottou (<a
 * href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>): accuracy on real and generated
 * pairs, the generator's gradient norm over a window, a Jensen-Shannon estimate, and a warning
 * record the step the discriminator saturates.
 *
 * <p>With Hessian-free settings ({@link TrainerSettings#secondOrder()}) each update is one
 * Hessian-free step of the discriminator and then one of the generator (with ALI's encoder), see
 * {@link AdversarialModel#useSecondOrder}; the optimizers' damping, iteration and previous step
 * live in the model's state, and each metrics record carries what both steps did.
 *
 * <p>Every few steps, and after the last, it also draws what the model does as PNG grids (see
 * {@link SampleGrids}): samples for the run's fixed codes, and with ALI the reconstructions of the
 * first examples of the run's first mini-batch, which it keeps in state for that purpose. The
 * operator sees no held-out images, so the reconstructions are of examples it trained on.
 */
public class AdversarialTrainer
        extends KeyedCoProcessFunction<String, DataEvent, LatentEvent, TrainingMetrics> {
    private static final Logger LOG = LoggerFactory.getLogger(AdversarialTrainer.class);

    /** Model snapshots, every few steps and after the last. */
    public static final OutputTag<ModelSnapshot> SNAPSHOTS =
            new OutputTag<>("model-snapshots", TypeInformation.of(ModelSnapshot.class));

    /** Sample and reconstruction grids, every few steps and after the last. */
    public static final OutputTag<SampleGrid> GRIDS =
            new OutputTag<>("sample-grids", TypeInformation.of(SampleGrid.class));

    private final TrainerSettings settings;

    /**
     * The position, in each example's stream of seeds, of the seed of its instance noise; the
     * latent producer draws z and eps from position 0's generator.
     */
    static final long INSTANCE_NOISE_STREAM = 1;

    /**
     * Returns the seed of one example's instance noise: position {@link #INSTANCE_NOISE_STREAM} in
     * the stream of seeds of its latent record. Whoever replays a run's noise derives it so.
     *
     * @param latentSeed the seed of the latent stream, as its records carry it
     * @param sequence the example's sequence number
     */
    public static long instanceNoiseSeed(long latentSeed, long sequence) {
        return SplitMix64.derive(SplitMix64.derive(latentSeed, sequence), INSTANCE_NOISE_STREAM);
    }

    private transient AdversarialConfig config;
    private transient InstanceNoise instanceNoise;
    private transient ValueState<AdversarialModel> model;
    private transient ValueState<SaturationDetector> saturation;
    private transient ValueState<RunProgress> progress;
    private transient MapState<Long, DataEvent> pendingData;
    private transient MapState<Long, LatentEvent> pendingLatents;
    private transient ValueState<float[]> reconstructionInputs;

    private transient long lastMetricsNanos;
    private transient long examplesSinceMetrics;
    private transient volatile TrainingMetrics latest;

    public AdversarialTrainer(TrainerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        config = settings.config();
        instanceNoise = settings.instanceNoise();
        model =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "model", AdversarialModelSerializer.INSTANCE));
        saturation =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "saturation",
                                        TypeInformation.of(SaturationDetector.class)));
        progress =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("progress", RunProgress.class));
        pendingData =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-data",
                                        Types.LONG,
                                        TypeInformation.of(DataEvent.class)));
        pendingLatents =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-latents",
                                        Types.LONG,
                                        TypeInformation.of(LatentEvent.class)));
        reconstructionInputs =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "reconstruction-inputs",
                                        PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        registerGauges(getRuntimeContext().getMetricGroup());
        lastMetricsNanos = System.nanoTime();
    }

    private void registerGauges(MetricGroup group) {
        group.gauge("step", () -> latest == null ? 0L : latest.getStep());
        group.gauge(
                "discriminatorLoss",
                () -> latest == null ? Double.NaN : latest.getDiscriminatorLoss());
        group.gauge("generatorLoss", () -> latest == null ? Double.NaN : latest.getGeneratorLoss());
        group.gauge("meanRealScore", () -> latest == null ? Double.NaN : latest.getMeanRealScore());
        group.gauge("meanFakeScore", () -> latest == null ? Double.NaN : latest.getMeanFakeScore());
        group.gauge(
                "discriminatorAccuracy",
                () -> latest == null ? Double.NaN : latest.getDiscriminatorAccuracy());
        group.gauge(
                "reconstructionError",
                () -> latest == null ? Double.NaN : latest.getReconstructionError());
        group.gauge("realAccuracy", () -> latest == null ? Double.NaN : latest.getRealAccuracy());
        group.gauge("fakeAccuracy", () -> latest == null ? Double.NaN : latest.getFakeAccuracy());
        group.gauge(
                "discriminatorGradNorm",
                () -> latest == null ? Double.NaN : latest.getDiscriminatorGradNorm());
        group.gauge(
                "generatorGradNorm",
                () -> latest == null ? Double.NaN : latest.getGeneratorGradNorm());
        group.gauge(
                "encoderGradNorm", () -> latest == null ? Double.NaN : latest.getEncoderGradNorm());
        group.gauge(
                "generatorGradNormMean",
                () -> latest == null ? Double.NaN : latest.getGeneratorGradNormMean());
        group.gauge("jsdEstimate", () -> latest == null ? Double.NaN : latest.getJsdEstimate());
        group.gauge(
                "instanceNoiseSigma",
                () -> latest == null ? Double.NaN : latest.getInstanceNoiseSigma());
        group.gauge("samplesPerSecond", () -> latest == null ? 0.0 : latest.getSamplesPerSecond());
        group.gauge("skippedSteps", () -> latest == null ? 0L : latest.getSkippedSteps());
    }

    @Override
    public void processElement1(DataEvent event, Context ctx, Collector<TrainingMetrics> out)
            throws Exception {
        RunProgress run = progressOfRun();
        if (event.rejected) {
            run.deadLetters++;
        } else if (isStale(run, event.sequence, event.offset, "data", ctx.getCurrentKey())) {
            run.duplicates++;
        } else {
            pendingData.put(event.sequence, event);
        }
        progress.update(run);
        trainWhileBatchesAreComplete(run, ctx, out);
    }

    @Override
    public void processElement2(LatentEvent event, Context ctx, Collector<TrainingMetrics> out)
            throws Exception {
        RunProgress run = progressOfRun();
        if (event.rejected) {
            run.deadLetters++;
        } else if (isStale(run, event.sequence, event.offset, "latent", ctx.getCurrentKey())) {
            run.duplicates++;
        } else {
            pendingLatents.put(event.sequence, event);
        }
        progress.update(run);
        trainWhileBatchesAreComplete(run, ctx, out);
    }

    private RunProgress progressOfRun() throws Exception {
        RunProgress run = progress.value();
        if (run == null) {
            run = new RunProgress();
            run.nextSequence = settings.firstSequence();
        }
        return run;
    }

    private boolean isStale(
            RunProgress run, long sequence, long offset, String kind, String runId) {
        if (sequence >= run.nextSequence && !finished(run)) {
            return false;
        }
        LOG.warn(
                "Run {}: ignored {} record at offset {} with sequence {}; training is past it",
                runId,
                kind,
                offset,
                sequence);
        return true;
    }

    private boolean finished(RunProgress run) {
        return settings.steps() > 0 && run.batches >= settings.steps();
    }

    private void trainWhileBatchesAreComplete(
            RunProgress run, Context ctx, Collector<TrainingMetrics> out) throws Exception {
        while (!finished(run) && nextBatchIsComplete(run)) {
            trainOneBatch(run, ctx, out);
            progress.update(run);
        }
    }

    private boolean nextBatchIsComplete(RunProgress run) throws Exception {
        long first = run.nextSequence;
        long last = first + settings.batchSize() - 1;
        // Examples usually arrive in order, so the last one of the batch decides quickly.
        if (!pendingData.contains(last) || !pendingLatents.contains(last)) {
            return false;
        }
        for (long sequence = first; sequence < last; sequence++) {
            if (!pendingData.contains(sequence) || !pendingLatents.contains(sequence)) {
                return false;
            }
        }
        return true;
    }

    private void trainOneBatch(RunProgress run, Context ctx, Collector<TrainingMetrics> out)
            throws Exception {
        int batchSize = settings.batchSize();
        int dataDim = config.dataDim();
        int latentDim = config.latentDim();
        float[] x = new float[batchSize * dataDim];
        float[] prior = new float[batchSize * latentDim];
        float[] noise = new float[batchSize * latentDim];
        long[] noiseSeeds = new long[batchSize];
        for (int row = 0; row < batchSize; row++) {
            long sequence = run.nextSequence + row;
            DataEvent data = pendingData.get(sequence);
            LatentEvent latent = pendingLatents.get(sequence);
            System.arraycopy(data.pixels, 0, x, row * dataDim, dataDim);
            System.arraycopy(latent.prior, 0, prior, row * latentDim, latentDim);
            System.arraycopy(latent.noise, 0, noise, row * latentDim, latentDim);
            noiseSeeds[row] = instanceNoiseSeed(latent.seed, sequence);
            run.dataOffset = Math.max(run.dataOffset, data.offset);
            run.latentOffset = Math.max(run.latentOffset, latent.offset);
            if (row == 0 && run.batches == 0) {
                run.seed = latent.seed;
            }
            pendingData.remove(sequence);
            pendingLatents.remove(sequence);
        }
        if (run.batches == 0) {
            keepReconstructionInputs(x, batchSize, dataDim);
        }
        run.nextSequence += batchSize;

        AdversarialModel adversarial = model.value();
        if (adversarial == null) {
            adversarial = AdversarialModel.initialize(config, run.seed, DataType.FLOAT);
            settings.secondOrder().ifPresent(adversarial::useSecondOrder);
            LOG.info(
                    "Run {}: initialized {} from seed {}",
                    ctx.getCurrentKey(),
                    config.model().configName(),
                    run.seed);
        }
        SaturationDetector detector = saturation.value();
        if (detector == null) {
            detector = SaturationDetector.withDefaults();
        }
        INDArray xBatch = matrix(x, batchSize, dataDim);
        double sigma = instanceNoise.sigmaAt(run.batches);
        AdversarialBatch batch =
                new AdversarialBatch(
                        xBatch,
                        matrix(prior, batchSize, latentDim),
                        matrix(noise, batchSize, latentDim),
                        instanceNoise.sample(
                                noiseSeeds,
                                run.batches,
                                dataDim,
                                adversarial.discriminatorInputs() - dataDim,
                                DataType.FLOAT));
        AdversarialStepResult result = adversarial.trainStep(batch);
        run.batches++;
        examplesSinceMetrics += batchSize;
        if (!result.applied()) {
            run.skippedSteps++;
            LOG.warn(
                    "Run {}: step {} had a non-finite loss or gradient (L_D {}, L_GE {}) and was"
                            + " not applied",
                    ctx.getCurrentKey(),
                    run.batches,
                    result.discriminatorLoss(),
                    result.generatorLoss());
        }
        Optional<String> warning = Optional.empty();
        if (result.applied()) {
            warning =
                    detector.observe(
                            result.discriminatorAccuracy(), result.generatorSideGradNorm());
            warning.ifPresent(
                    message ->
                            LOG.warn(
                                    "Run {}: step {}: {}",
                                    ctx.getCurrentKey(),
                                    run.batches,
                                    message));
        }
        model.update(adversarial);
        saturation.update(detector);

        boolean last = finished(run);
        if (run.batches == 1
                || run.batches % settings.metricsInterval() == 0
                || last
                || !result.applied()
                || warning.isPresent()) {
            TrainingMetrics metrics =
                    metrics(
                            ctx.getCurrentKey(),
                            run,
                            result,
                            new StepDiagnostics(detector, sigma, warning.orElse(null)),
                            adversarial,
                            xBatch);
            latest = metrics;
            out.collect(metrics);
        }
        if (last
                || (settings.snapshotInterval() > 0
                        && run.batches % settings.snapshotInterval() == 0)) {
            ctx.output(SNAPSHOTS, snapshot(ctx.getCurrentKey(), run, adversarial));
        }
        if (last || (settings.imageInterval() > 0 && run.batches % settings.imageInterval() == 0)) {
            publishGrids(ctx, run, adversarial);
        }
    }

    /** Keeps the first examples of the run's first batch, the inputs of every reconstruction. */
    private void keepReconstructionInputs(float[] x, int batchSize, int dataDim)
            throws IOException {
        int count = Math.min(SampleGrids.RECONSTRUCTION_PAIRS, batchSize);
        reconstructionInputs.update(Arrays.copyOf(x, count * dataDim));
    }

    private void publishGrids(Context ctx, RunProgress run, AdversarialModel adversarial)
            throws Exception {
        String runId = ctx.getCurrentKey();
        int side = SampleGrids.squareSide(config.dataDim());
        if (side < 0) {
            // The tiles' shape is not known without square images; the run folder has none either.
            LOG.warn(
                    "Run {}: step {}: no grids, {} pixels are not a square image",
                    runId,
                    run.batches,
                    config.dataDim());
            return;
        }
        String hash = adversarial.parameterHash();
        BufferedImage samples = SampleGrids.samples(adversarial, run.seed, side, side);
        ctx.output(
                GRIDS,
                grid(runId, run, hash, GridKind.SAMPLES, samples, SampleGrids.SAMPLE_COUNT)
                        .setCodeSeed(SampleGrids.codeSeed(run.seed))
                        .setFirstSequence(-1)
                        .setColumns(SampleGrids.SAMPLE_COLUMNS)
                        .setRows(
                                SampleGrids.gridRows(
                                        SampleGrids.SAMPLE_COUNT, SampleGrids.SAMPLE_COLUMNS))
                        .build());

        float[] inputs = reconstructionInputs.value();
        if (adversarial instanceof Ali ali && inputs != null) {
            int count = inputs.length / config.dataDim();
            INDArray x = matrix(inputs, count, config.dataDim());
            BufferedImage pairs = SampleGrids.reconstructions(ali, x, side, side);
            int columns = 2 * SampleGrids.PAIR_COLUMNS;
            ctx.output(
                    GRIDS,
                    grid(runId, run, hash, GridKind.RECONSTRUCTIONS, pairs, count)
                            .setCodeSeed(0)
                            .setFirstSequence(0)
                            .setColumns(columns)
                            .setRows(SampleGrids.gridRows(2 * count, columns))
                            .build());
        }
        LOG.info("Run {}: step {}: published sample grids", runId, run.batches);
    }

    private SampleGrid.Builder grid(
            String runId,
            RunProgress run,
            String parameterHash,
            GridKind kind,
            BufferedImage image,
            int images)
            throws IOException {
        int side = SampleGrids.squareSide(config.dataDim());
        return SampleGrid.newBuilder()
                .setRunId(runId)
                .setModel(config.model().configName())
                .setSeed(run.seed)
                .setStep(run.batches)
                .setKind(kind)
                .setImages(images)
                .setTileHeight(side)
                .setTileWidth(side)
                .setPadding(SampleGrids.PADDING)
                .setScale(SampleGrids.SCALE)
                .setPixelHeight(image.getHeight())
                .setPixelWidth(image.getWidth())
                .setPng(ByteBuffer.wrap(PngFile.bytes(image)))
                .setParameterHash(parameterHash)
                .setConfiguration(settings.describe())
                .setDataOffset(run.dataOffset)
                .setLatentOffset(run.latentOffset);
    }

    private static INDArray matrix(float[] values, int rows, int columns) {
        return Nd4j.create(values, new long[] {rows, columns}, DataType.FLOAT);
    }

    /** What the trainer measured about a step beyond the model's own step result. */
    private record StepDiagnostics(SaturationDetector detector, double sigma, String warning) {}

    private TrainingMetrics metrics(
            String runId,
            RunProgress run,
            AdversarialStepResult result,
            StepDiagnostics diagnostics,
            AdversarialModel adversarial,
            INDArray x) {
        // Throughput is the one wall-clock number here; it is reported, never trained on.
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastMetricsNanos) / 1e9);
        double samplesPerSecond = examplesSinceMetrics / seconds;
        lastMetricsNanos = now;
        examplesSinceMetrics = 0;

        TrainingMetrics.Builder builder =
                TrainingMetrics.newBuilder()
                        .setRunId(runId)
                        .setModel(config.model().configName())
                        .setGeneratorCost(config.generatorCost().optionName())
                        .setSeed(run.seed)
                        .setStep(run.batches)
                        .setBatchSize(settings.batchSize())
                        .setApplied(result.applied())
                        .setDiscriminatorLoss(result.discriminatorLoss())
                        .setGeneratorLoss(result.generatorLoss())
                        .setMeanRealScore(result.meanRealScore())
                        .setMeanFakeScore(result.meanFakeScore())
                        .setDiscriminatorAccuracy(result.discriminatorAccuracy())
                        .setRealAccuracy(result.realAccuracy())
                        .setFakeAccuracy(result.fakeAccuracy())
                        .setDiscriminatorGradNorm(result.discriminatorGradNorm())
                        .setGeneratorGradNorm(result.generatorGradNorm())
                        .setEncoderGradNorm(result.encoderGradNorm())
                        .setGeneratorGradNormMean(diagnostics.detector().meanGradNorm())
                        .setGeneratorGradNormVariance(diagnostics.detector().gradNormVariance())
                        .setGradNormWindow(diagnostics.detector().windowCount())
                        .setJsdEstimate(
                                JensenShannonEstimate.fromDiscriminatorLoss(
                                        result.discriminatorLoss()))
                        .setInstanceNoiseSigma(diagnostics.sigma())
                        .setWarning(diagnostics.warning())
                        .setReconstructionError(
                                adversarial instanceof Ali ali
                                        ? ali.reconstructionError(x)
                                        : Double.NaN)
                        .setSamplesPerSecond(samplesPerSecond)
                        .setDataOffset(run.dataOffset)
                        .setLatentOffset(run.latentOffset)
                        .setDeadLetters(run.deadLetters)
                        .setSkippedSteps(run.skippedSteps)
                        .setDuplicates(run.duplicates);
        HessianFreeSteps steps = adversarial.lastHessianFreeSteps();
        Optional<SecondOrderTraining> secondOrder = adversarial.secondOrderTraining();
        builder.setOptimizer(
                secondOrder
                        .map(t -> OptimizerKind.of(t.optimizer().method()).optionName())
                        .orElse(OptimizerKind.ADAM.optionName()));
        if (steps != null) {
            HessianFreeStep d = steps.discriminator();
            HessianFreeStep g = steps.generator();
            builder.setDiscriminatorDamping(d.damping())
                    .setDiscriminatorInnerIterations(d.innerIterations())
                    .setDiscriminatorCurvatureProducts(d.curvatureProducts())
                    .setDiscriminatorPredictedReduction(d.predictedReduction())
                    .setDiscriminatorActualReduction(d.actualReduction())
                    .setDiscriminatorReductionRatio(d.reductionRatio())
                    .setDiscriminatorStepLength(d.stepLength())
                    .setDiscriminatorMostNegativeCurvature(d.mostNegativeCurvature())
                    .setGeneratorDamping(g.damping())
                    .setGeneratorInnerIterations(g.innerIterations())
                    .setGeneratorCurvatureProducts(g.curvatureProducts())
                    .setGeneratorPredictedReduction(g.predictedReduction())
                    .setGeneratorActualReduction(g.actualReduction())
                    .setGeneratorReductionRatio(g.reductionRatio())
                    .setGeneratorStepLength(g.stepLength())
                    .setGeneratorMostNegativeCurvature(g.mostNegativeCurvature());
        }
        return builder.build();
    }

    private ModelSnapshot snapshot(String runId, RunProgress run, AdversarialModel adversarial) {
        Map<String, ByteBuffer> networks = new HashMap<>();
        for (Map.Entry<String, INDArray> network : adversarial.parameters().entrySet()) {
            float[] values = network.getValue().toFloatVector();
            ByteBuffer bytes =
                    ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            networks.put(network.getKey(), bytes);
        }
        run.snapshotVersion++;
        return ModelSnapshot.newBuilder()
                .setRunId(runId)
                .setModel(config.model().configName())
                .setSeed(run.seed)
                .setStep(run.batches)
                .setVersion(run.snapshotVersion)
                .setConfiguration(settings.describe())
                .setParameterHash(adversarial.parameterHash())
                .setNetworks(networks)
                .build();
    }
}
