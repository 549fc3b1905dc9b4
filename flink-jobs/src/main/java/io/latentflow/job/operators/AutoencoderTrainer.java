package io.latentflow.job.operators;

import io.latentflow.core.nn.FeedForwardNetwork;
import io.latentflow.core.nn.GradientTarget;
import io.latentflow.core.nn.OutputActivation;
import io.latentflow.core.nn.SquaredError;
import io.latentflow.core.optim.Adam;
import io.latentflow.core.optim.CurvatureMethod;
import io.latentflow.core.optim.HessianFreeStep;
import io.latentflow.core.optim.MomentumSgd;
import io.latentflow.core.optim.NetworkObjective;
import io.latentflow.core.optim.RmsProp;
import io.latentflow.core.optim.SaddleFreeHessianFree;
import io.latentflow.core.optim.SecondOrderObjective;
import io.latentflow.schema.AutoencoderTrainingMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the deep autoencoder of the Hessian-free literature (Hinton and Salakhutdinov's
 * 784-1000-500-250-30 and mirrored, as Martens, <a
 * href="https://www.cs.toronto.edu/~jmartens/docs/Deep_HessianFree.pdf">Deep learning via
 * Hessian-free optimization</a>, and Arjovsky, <a
 * href="https://arxiv.org/abs/1506.00059">arXiv:1506.00059</a>, train it) for each run it is keyed
 * by, on the run's stream of images, with one of the {@link OptimizerKind}s.
 *
 * <p>Steps are batched by sequence number, not by arrival, so a run is reproducible: step k of a
 * first-order optimizer trains on sequences k*B to k*B + B - 1. A Hessian-free step takes the next
 * gradient batch of G examples for the loss, the gradient and the line search, and takes its
 * curvature products on the first C of them. The curvature batch is a subset of the gradient batch
 * rather than the next C examples of the stream because then every streamed example serves the
 * gradient, the curvature is measured on the same distribution as the gradient, and it changes
 * every step as Martens' rotating curvature slices do; the products cost C / G of a gradient each,
 * which is why C is the smaller.
 *
 * <p>The run's first E examples by sequence number are also kept as a fixed evaluation sample;
 * training waits until all of them have arrived, and every metrics record reports the squared
 * reconstruction error per example on them (the sum over pixels, the measure the literature reports
 * as training error), so that all optimizers of one seed are measured on the same images.
 *
 * <p>The parameters, the optimizer's state, the run's progress, the pending examples and the
 * evaluation sample live in Flink keyed state. The network and optimizer built from them are kept
 * between steps while this instance lives, since rebuilding a 2.8-million-parameter network for
 * every mini-batch would cost a sizeable part of the step; keyed state is written after every step
 * and stays the source from which a restored job rebuilds them.
 */
public class AutoencoderTrainer
        extends KeyedProcessFunction<String, DataEvent, AutoencoderTrainingMetrics> {
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderTrainer.class);

    /** Cost of a loss on b rows relative to a gradient on them: one of three products a layer. */
    private static final double LOSS_COST = 1.0 / 3;

    /** Cost of a Hessian product relative to a gradient on the same rows: six products a layer. */
    private static final double HESSIAN_PRODUCT_COST = 2.0;

    /** Cost of a Gauss-Newton product relative to a gradient: five products a layer. */
    private static final double GAUSS_NEWTON_PRODUCT_COST = 5.0 / 3;

    private final AutoencoderTrainerSettings settings;

    private transient ValueState<AutoencoderModelState> model;
    private transient ValueState<RunProgress> progress;
    private transient ValueState<float[]> evaluation;
    private transient MapState<Long, DataEvent> pending;
    private transient Map<String, LiveModel> live;
    private transient long lastMetricsNanos;
    private transient long examplesSinceMetrics;

    public AutoencoderTrainer(AutoencoderTrainerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        model =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "autoencoder-model",
                                        TypeInformation.of(AutoencoderModelState.class)));
        progress =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("progress", RunProgress.class));
        evaluation =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "evaluation-examples", TypeInformation.of(float[].class)));
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-examples",
                                        Types.LONG,
                                        TypeInformation.of(DataEvent.class)));
        live = new HashMap<>();
        lastMetricsNanos = System.nanoTime();
    }

    @Override
    public void processElement(
            DataEvent event, Context ctx, Collector<AutoencoderTrainingMetrics> out)
            throws Exception {
        RunProgress run = progress.value();
        if (run == null) {
            run = new RunProgress();
        }
        if (event.rejected) {
            run.deadLetters++;
        } else if (event.sequence < run.nextSequence || finished(run)) {
            LOG.warn(
                    "Run {}: ignored data record at offset {} with sequence {}; training is past"
                            + " it",
                    ctx.getCurrentKey(),
                    event.offset,
                    event.sequence);
            run.duplicates++;
        } else {
            pending.put(event.sequence, event);
        }
        while (!finished(run) && nextBatchIsComplete(run)) {
            trainOneBatch(run, ctx.getCurrentKey(), out);
        }
        progress.update(run);
    }

    private boolean finished(RunProgress run) {
        return settings.steps() > 0 && run.batches >= settings.steps();
    }

    private boolean nextBatchIsComplete(RunProgress run) throws Exception {
        long first = run.nextSequence;
        long last = first + settings.examplesPerStep() - 1;
        if (evaluation.value() == null) {
            // The first step also waits for the whole evaluation sample.
            last = Math.max(last, settings.evaluationExamples() - 1);
        }
        // Examples usually arrive in order, so the last one decides quickly.
        if (!pending.contains(last)) {
            return false;
        }
        for (long sequence = first; sequence < last; sequence++) {
            if (!pending.contains(sequence)) {
                return false;
            }
        }
        return true;
    }

    private void trainOneBatch(
            RunProgress run, String runId, Collector<AutoencoderTrainingMetrics> out)
            throws Exception {
        LiveModel current = liveModel(runId, run);
        if (run.batches == 0) {
            out.collect(metrics(runId, run, current, null, Double.NaN, true));
        }

        long started = System.nanoTime();
        int rows = settings.examplesPerStep();
        float[] values = new float[rows * inputWidth()];
        for (int b = 0; b < rows; b++) {
            long sequence = run.nextSequence + b;
            DataEvent event = pending.get(sequence);
            System.arraycopy(event.pixels, 0, values, b * inputWidth(), inputWidth());
            run.dataOffset = Math.max(run.dataOffset, event.offset);
            pending.remove(sequence);
        }
        INDArray batch = Nd4j.create(values, new long[] {rows, inputWidth()}, 'c');
        run.nextSequence += rows;
        run.batches++;

        HessianFreeStep step = null;
        double trainingLoss;
        boolean applied;
        AutoencoderModelState state = current.state;
        if (settings.optimizer().isSecondOrder()) {
            step = hessianFreeStep(current, batch);
            trainingLoss = step.lossBefore();
            applied = step.stepLength() > 0 && Double.isFinite(step.lossAfter());
        } else {
            trainingLoss = firstOrderStep(current, batch);
            applied = Double.isFinite(trainingLoss);
            state.computePasses += rows / (double) settings.trainingSetSize();
        }
        if (!applied) {
            run.skippedSteps++;
            LOG.warn(
                    "Run {}: step {} with {} was not applied (loss {}, data offset {})",
                    runId,
                    run.batches,
                    settings.optimizer(),
                    trainingLoss,
                    run.dataOffset);
        }
        state.examples += rows;
        writeState(current);
        state.trainingNanos += System.nanoTime() - started;
        model.update(state);
        current.batches = run.batches;
        examplesSinceMetrics += rows;

        boolean report =
                run.batches == 1
                        || run.batches % settings.metricsInterval() == 0
                        || finished(run)
                        || (!applied && !settings.optimizer().isSecondOrder());
        if (report) {
            out.collect(metrics(runId, run, current, step, trainingLoss, applied));
        }
    }

    private int inputWidth() {
        return settings.widths()[0];
    }

    /** One first-order step on the batch; returns the loss on it before the step. */
    private double firstOrderStep(LiveModel current, INDArray batch) {
        FeedForwardNetwork network = current.network;
        SquaredError loss = new SquaredError();
        INDArray output = network.forward(batch);
        double value = loss.value(output, batch);
        if (!Double.isFinite(value)) {
            return value;
        }
        network.backward(loss.gradient(output, batch), GradientTarget.PARAMETERS);
        INDArray gradient = network.gradient();
        if (!Double.isFinite(gradient.norm2Number().doubleValue())) {
            return Double.NaN;
        }
        switch (settings.optimizer()) {
            case SGD -> current.sgd.update(network.parameters(), gradient);
            case ADAM -> current.adam.update(network.parameters(), gradient);
            case RMSPROP -> current.rmsProp.update(network.parameters(), gradient);
            default -> throw new IllegalStateException(settings.optimizer() + " is second order");
        }
        return value;
    }

    /** One Hessian-free step: gradient on the batch, curvature on its first rows. */
    private HessianFreeStep hessianFreeStep(LiveModel current, INDArray batch) {
        int curvatureRows = settings.curvatureBatch();
        INDArray curvature = batch.get(NDArrayIndex.interval(0, curvatureRows)).dup();
        CountingObjective objective =
                new CountingObjective(
                        new NetworkObjective(
                                current.network,
                                new SquaredError(),
                                batch,
                                batch,
                                curvature,
                                curvature));
        HessianFreeStep step = current.hessianFree.step(objective);

        double gradientShare = batch.rows() / (double) settings.trainingSetSize();
        double curvatureShare = curvatureRows / (double) settings.trainingSetSize();
        double productCost =
                settings.optimizer().curvatureMethod() == CurvatureMethod.GAUSS_NEWTON
                        ? GAUSS_NEWTON_PRODUCT_COST
                        : HESSIAN_PRODUCT_COST;
        // The curvature's set-up is a forward and backward pass over its rows.
        current.state.computePasses +=
                objective.gradients * gradientShare
                        + objective.losses * LOSS_COST * gradientShare
                        + curvatureShare
                        + step.curvatureProducts() * productCost * curvatureShare;
        return step;
    }

    /** The run's network and optimizer: the ones kept from the last step, or rebuilt from state. */
    private LiveModel liveModel(String runId, RunProgress run) throws Exception {
        LiveModel current = live.get(runId);
        if (current != null && current.batches == run.batches) {
            return current;
        }
        AutoencoderModelState saved = model.value();
        FeedForwardNetwork network =
                new FeedForwardNetwork(
                        settings.widths(),
                        AutoencoderTrainerSettings.LEAKY_SLOPE,
                        OutputActivation.SIGMOID,
                        DataType.FLOAT);
        current = new LiveModel(network);
        current.batches = run.batches;
        if (saved == null) {
            network.initializeUniform(new SplittableRandom(settings.seed()));
            saved = new AutoencoderModelState();
            saved.damping = settings.initialDamping();
            LOG.info(
                    "Run {}: initialized an autoencoder {} ({} parameters) from seed {} for {}",
                    runId,
                    settings.describeWidths(),
                    network.parameterCount(),
                    settings.seed(),
                    settings.optimizer());
        } else {
            network.parameters().assign(Nd4j.createFromArray(saved.parameters));
            LOG.info(
                    "Run {}: rebuilt the autoencoder and {} from keyed state at step {}",
                    runId,
                    settings.optimizer(),
                    run.batches);
        }
        current.state = saved;
        createOptimizer(current, saved);

        float[] examples = evaluation.value();
        if (examples == null) {
            int count = settings.evaluationExamples();
            examples = new float[count * inputWidth()];
            for (int i = 0; i < count; i++) {
                System.arraycopy(
                        pending.get((long) i).pixels, 0, examples, i * inputWidth(), inputWidth());
            }
            evaluation.update(examples);
        }
        current.evaluation =
                Nd4j.create(
                        examples, new long[] {settings.evaluationExamples(), inputWidth()}, 'c');
        live.put(runId, current);
        return current;
    }

    private void createOptimizer(LiveModel current, AutoencoderModelState saved) {
        INDArray parameters = current.network.parameters();
        long count = current.network.parameterCount();
        switch (settings.optimizer()) {
            case SGD -> {
                current.sgd =
                        new MomentumSgd(settings.learningRate(), settings.momentum(), parameters);
                if (saved.firstMoment != null) {
                    current.sgd.restore(saved.updates, Nd4j.createFromArray(saved.firstMoment));
                }
            }
            case ADAM -> {
                current.adam =
                        new Adam(
                                settings.learningRate(),
                                0.9,
                                0.999,
                                Adam.DEFAULT_EPSILON,
                                count,
                                DataType.FLOAT);
                if (saved.firstMoment != null) {
                    current.adam.restore(
                            saved.updates,
                            Nd4j.createFromArray(saved.firstMoment),
                            Nd4j.createFromArray(saved.secondMoment));
                }
            }
            case RMSPROP -> {
                current.rmsProp =
                        new RmsProp(
                                settings.learningRate(),
                                RmsProp.DEFAULT_DECAY,
                                RmsProp.DEFAULT_EPSILON,
                                count);
                if (saved.meanSquare != null) {
                    current.rmsProp.restore(saved.updates, saved.meanSquare);
                }
            }
            default -> {
                current.hessianFree = new SaddleFreeHessianFree(settings.hessianFreeConfig());
                if (saved.updates > 0) {
                    current.hessianFree.restore(saved.updates, saved.damping, saved.previousStep);
                }
            }
        }
    }

    /** Copies the live parameters and optimizer state into the keyed state's record. */
    private void writeState(LiveModel current) {
        AutoencoderModelState state = current.state;
        state.parameters = current.network.parameters().toFloatVector();
        switch (settings.optimizer()) {
            case SGD -> {
                state.firstMoment = current.sgd.velocity().toFloatVector();
                state.updates = current.sgd.iteration();
            }
            case ADAM -> {
                state.firstMoment = current.adam.firstMoment().toFloatVector();
                state.secondMoment = current.adam.secondMoment().toFloatVector();
                state.updates = current.adam.iteration();
            }
            case RMSPROP -> {
                state.meanSquare = current.rmsProp.meanSquare();
                state.updates = current.rmsProp.iteration();
            }
            default -> {
                state.damping = current.hessianFree.damping();
                state.previousStep = current.hessianFree.previousStep();
                state.updates = current.hessianFree.iteration();
            }
        }
    }

    private AutoencoderTrainingMetrics metrics(
            String runId,
            RunProgress run,
            LiveModel current,
            HessianFreeStep step,
            double trainingLoss,
            boolean applied) {
        // Wall clock is reported, never trained on.
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastMetricsNanos) / 1e9);
        double samplesPerSecond = examplesSinceMetrics / seconds;
        lastMetricsNanos = now;
        examplesSinceMetrics = 0;

        AutoencoderModelState state = current.state;
        // Squared error summed over pixels, per example: twice SquaredError's mean of halves.
        double trainingError =
                2
                        * new SquaredError()
                                .value(
                                        current.network.infer(current.evaluation),
                                        current.evaluation);
        AutoencoderTrainingMetrics.Builder record =
                AutoencoderTrainingMetrics.newBuilder()
                        .setRunId(runId)
                        .setModel("autoencoder")
                        .setOptimizer(settings.optimizer().optionName())
                        .setSeed(settings.seed())
                        .setConfiguration(new HashMap<>(settings.describe()))
                        .setStep(run.batches)
                        .setExamples(state.examples)
                        .setPasses(state.examples / (double) settings.trainingSetSize())
                        .setComputePasses(state.computePasses)
                        .setTrainingSeconds(state.trainingNanos / 1e9)
                        .setApplied(applied)
                        .setTrainingLoss(trainingLoss)
                        .setTrainingError(trainingError)
                        .setEvaluationExamples(settings.evaluationExamples())
                        .setBatchSize(settings.examplesPerStep())
                        .setCurvatureBatch(
                                settings.optimizer().isSecondOrder()
                                        ? settings.curvatureBatch()
                                        : 0)
                        .setParameterHash(current.network.parameterHash())
                        .setSamplesPerSecond(samplesPerSecond)
                        .setDataOffset(run.dataOffset)
                        .setDeadLetters(run.deadLetters)
                        .setSkippedSteps(run.skippedSteps);
        if (step != null) {
            record.setDamping(step.damping())
                    .setNextDamping(step.nextDamping())
                    .setInnerIterations(step.innerIterations())
                    .setCurvatureProducts(step.curvatureProducts())
                    .setPredictedReduction(step.predictedReduction())
                    .setActualReduction(step.actualReduction())
                    .setReductionRatio(step.reductionRatio())
                    .setStepLength(step.stepLength())
                    .setMostNegativeCurvature(step.mostNegativeCurvature())
                    .setNegativeCurvatureMet(step.negativeCurvatureMet());
        }
        return record.build();
    }

    /** What one run trains with while this instance lives. */
    private static final class LiveModel {
        private final FeedForwardNetwork network;
        private AutoencoderModelState state;
        private INDArray evaluation;
        private MomentumSgd sgd;
        private Adam adam;
        private RmsProp rmsProp;
        private SaddleFreeHessianFree hessianFree;
        private long batches;

        private LiveModel(FeedForwardNetwork network) {
            this.network = network;
        }
    }

    /** Counts the losses and gradients a Hessian-free step asks for, to count its cost. */
    private static final class CountingObjective implements SecondOrderObjective {
        private final SecondOrderObjective delegate;
        private long losses;
        private long gradients;

        private CountingObjective(SecondOrderObjective delegate) {
            this.delegate = delegate;
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
}
