package io.latentflow.job.operators;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.optim.HessianFreeStep;
import io.latentflow.core.optim.RecurrentObjective;
import io.latentflow.core.optim.SaddleFreeHessianFree;
import io.latentflow.core.recurrent.RecurrentNetwork;
import io.latentflow.core.recurrent.SequenceBatch;
import io.latentflow.core.recurrent.SequenceLoss;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.PixelByPixelTask;
import io.latentflow.schema.SequenceTrainingMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a recurrent network, the unitary evolution RNN of Arjovsky, Shah and Bengio (<a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>) or the LSTM baseline, for each run
 * it is keyed by, on the run's stream of task sequences: each time the next mini-batch of sequences
 * by sequence number is complete, one step of backpropagation through time and one RMSProp or Adam
 * update; or, with a Hessian-free optimizer, each time the next gradient batch is complete, one
 * Hessian-free step ({@link SaddleFreeHessianFree}, Arjovsky, <a
 * href="https://arxiv.org/abs/1506.00059">arXiv:1506.00059</a>) on it, with the curvature products
 * on its first sequences, as the autoencoder's trainer does with rows.
 *
 * <p>Batching by sequence, not by arrival, makes a run reproducible: mini-batch k holds sequences
 * k*B to k*B + B - 1 whatever the order records arrive in. The parameters, the optimizer's state,
 * the run's progress and the pending sequences live in Flink keyed state (for a Hessian-free
 * optimizer its step count, damping and last step, so that a restored run takes the same next
 * step); the network is rebuilt from them for every step, which costs a small fraction of the step.
 *
 * <p>Every metrics record carries the step's loss before the update against the task's memoryless
 * baseline, the accuracy on the step's batch (copying and pixel tasks), the gradient norm, the
 * deviation of W from unitarity after the update (uRNN) and the parameters' hash.
 *
 * <p>For the pixel tasks the operator also measures test accuracy after the update, every {@code
 * testInterval} steps on the first {@code testExamples} t10k images and at the last step on all of
 * them. It reads the test images from disk when it opens, not from a topic: the held-out set is
 * fixed, so it needs neither ordering nor replay, and keeping it off the data topic means that no
 * test record can ever be batched into training. Every task manager must therefore see the dataset
 * folder.
 */
public class RecurrentNetworkTrainer
        extends KeyedProcessFunction<String, SequenceEvent, SequenceTrainingMetrics> {
    private static final Logger LOG = LoggerFactory.getLogger(RecurrentNetworkTrainer.class);

    /**
     * Test images per forward pass: the LSTM keeps one step's state when it only evaluates, the
     * uRNN every step's, which at n = 512 and T = 784 is about 250 MB per 20 sequences.
     */
    private static final int LSTM_TEST_BATCH = 250;

    private static final int URNN_TEST_BATCH = 20;

    private final RecurrentTrainerSettings settings;

    private transient PixelByPixelTask testSet;
    private transient ValueState<RecurrentModelState> model;
    private transient ValueState<RunProgress> progress;
    private transient MapState<Long, SequenceEvent> pending;
    private transient long lastMetricsNanos;
    private transient long examplesSinceMetrics;

    public RecurrentNetworkTrainer(RecurrentTrainerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        model =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        settings.model().optionName() + "-model",
                                        TypeInformation.of(RecurrentModelState.class)));
        progress =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("progress", RunProgress.class));
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-sequences",
                                        Types.LONG,
                                        TypeInformation.of(SequenceEvent.class)));
        lastMetricsNanos = System.nanoTime();
        if (settings.task().isPixelTask()) {
            testSet = readTestSet();
        }
    }

    private PixelByPixelTask readTestSet() {
        Path folder = Path.of(settings.datasetPath());
        try {
            IdxImages images = IdxReader.readImages(FashionMnist.testImages(folder));
            int[] labels = IdxReader.readLabels(FashionMnist.testLabels(folder));
            LOG.info(
                    "Read {} test images from {} for {} measurements",
                    images.count(),
                    images.source(),
                    settings.task().optionName());
            return new PixelByPixelTask(
                    images, labels, settings.task().pixelOrder(settings.permutationSeed()));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read the Fashion-MNIST test set under " + folder, e);
        }
    }

    @Override
    public void processElement(
            SequenceEvent event, Context ctx, Collector<SequenceTrainingMetrics> out)
            throws Exception {
        RunProgress run = progress.value();
        if (run == null) {
            run = new RunProgress();
        }
        if (event.rejected) {
            run.deadLetters++;
        } else if (event.sequence < run.nextSequence || finished(run)) {
            LOG.warn(
                    "Run {}: ignored sequence record at offset {} with sequence {}; training is"
                            + " past it",
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
        long last = first + settings.batchSize() - 1;
        // Sequences usually arrive in order, so the last one of the batch decides quickly.
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
            RunProgress run, String runId, Collector<SequenceTrainingMetrics> out)
            throws Exception {
        int batchSize = settings.batchSize();
        int timeSteps = settings.timeSteps();
        SequenceTask task = settings.task();
        List<SequenceEvent> events = new ArrayList<>(batchSize);
        for (int b = 0; b < batchSize; b++) {
            long sequence = run.nextSequence + b;
            SequenceEvent event = pending.get(sequence);
            events.add(event);
            run.dataOffset = Math.max(run.dataOffset, event.offset);
            pending.remove(sequence);
        }
        // A recurrent run's progress keeps the seed of its task stream, as its records carry it;
        // the model's own seed is in the settings.
        if (run.batches == 0) {
            run.seed = events.get(0).taskSeed;
        }
        run.nextSequence += batchSize;

        SequenceBatch batch = batch(events, timeSteps, task.inputSize());
        SequenceLoss loss = task.loss(events, timeSteps);
        RecurrentNetwork network =
                settings.model()
                        .create(
                                task.inputSize(),
                                settings.hiddenSize(),
                                task.outputSize(),
                                settings.seed(),
                                settings.threads());
        RecurrentModelState saved = model.value();
        boolean secondOrder = settings.optimizer().isSecondOrder();
        SaddleFreeHessianFree hessianFreeOptimizer = secondOrder ? hessianFree(saved) : null;
        RecurrentOptimizer.Stepper optimizer =
                secondOrder
                        ? null
                        : settings.optimizer()
                                .create(
                                        settings.learningRate(),
                                        settings.decay(),
                                        network.parameters().length,
                                        saved);
        if (saved == null) {
            LOG.info(
                    "Run {}: initialized a {} with {} hidden units and {} parameters from seed {}"
                            + " for {} at T = {}, {}",
                    runId,
                    settings.model().optionName(),
                    settings.hiddenSize(),
                    network.parameters().length,
                    settings.seed(),
                    task.optionName(),
                    timeSteps,
                    settings.optimizer().optionName());
        } else {
            System.arraycopy(saved.parameters, 0, network.parameters(), 0, saved.parameters.length);
        }

        run.batches++;
        examplesSinceMetrics += batchSize;
        boolean report =
                run.batches == 1 || run.batches % settings.metricsInterval() == 0 || finished(run);
        double accuracy = Double.NaN;
        if (report && task == SequenceTask.COPYING) {
            accuracy =
                    CopyingMemoryTask.recallAccuracy(
                            network.outputs(batch), targetClasses(events), timeSteps, batchSize);
        } else if (report && task.isPixelTask()) {
            accuracy =
                    PixelByPixelTask.correctAtLastStep(
                                    network.outputs(batch), labels(events), timeSteps)
                            / (double) batchSize;
        }
        double[] gradient = new double[network.parameters().length];
        double[] stateGradientNorms = new double[timeSteps];
        double value = network.lossAndGradient(batch, loss, gradient, stateGradientNorms);
        double gradientNorm = norm(gradient);
        boolean applied = Double.isFinite(value) && Double.isFinite(gradientNorm);
        HessianFreeStep hessianFree = null;
        if (applied && secondOrder) {
            hessianFree = hessianFreeStep(network, events, batch, loss, hessianFreeOptimizer);
            applied = hessianFree.stepLength() > 0 && Double.isFinite(hessianFree.lossAfter());
        } else if (applied) {
            clipToNorm(gradient, gradientNorm, settings.gradientClip());
            optimizer.update(network.parameters(), gradient);
        }
        if (secondOrder && hessianFree != null) {
            if (!applied) {
                LOG.info(
                        "Run {}: Hessian-free step {} was rejected (loss {}, predicted change {},"
                                + " actual {}); damping {} next",
                        runId,
                        run.batches,
                        value,
                        hessianFree.predictedReduction(),
                        hessianFree.actualReduction(),
                        hessianFree.nextDamping());
            }
        } else if (!applied) {
            run.skippedSteps++;
            LOG.warn(
                    "Run {}: step {} had a non-finite loss {} or gradient norm {} and was not"
                            + " applied",
                    runId,
                    run.batches,
                    value,
                    gradientNorm);
        }
        model.update(
                secondOrder
                        ? hessianFreeState(network, hessianFreeOptimizer)
                        : optimizer.save(network.parameters()));

        TestMeasurement test = TestMeasurement.NONE;
        if (testSet != null) {
            if (finished(run)) {
                test = measureTest(network, testSet.count(), runId, run.batches);
            } else if (settings.testInterval() > 0 && run.batches % settings.testInterval() == 0) {
                test = measureTest(network, settings.testExamples(), runId, run.batches);
            }
        }
        if (report) {
            LOG.info(
                    "Run {}: step {} loss {} (baseline {}), batch accuracy {}, gradient norm {}",
                    runId,
                    run.batches,
                    value,
                    task.baselineLoss(timeSteps),
                    accuracy,
                    gradientNorm);
        }
        if (report || finished(run) || !applied || test.examples() > 0) {
            StepMeasurements step =
                    new StepMeasurements(
                            value,
                            accuracy,
                            gradientNorm,
                            stateGradientNorms,
                            applied,
                            test,
                            hessianFree);
            out.collect(metrics(runId, run, step, network, timeSteps));
        }
    }

    /**
     * Returns the run's Hessian-free optimizer with the saved step count, damping and last step, or
     * a fresh one at the first step.
     */
    private SaddleFreeHessianFree hessianFree(RecurrentModelState saved) {
        SaddleFreeHessianFree optimizer =
                new SaddleFreeHessianFree(
                        settings.optimizer()
                                .hessianFreeConfig(
                                        settings.initialDamping(), settings.maxInnerIterations()));
        if (saved != null) {
            optimizer.restore(saved.updates, saved.damping, saved.previousStep);
        }
        return optimizer;
    }

    /**
     * One Hessian-free step on the gradient batch, with the curvature products on its first {@code
     * curvatureBatch} sequences; the network holds the parameters after the step on return.
     */
    private HessianFreeStep hessianFreeStep(
            RecurrentNetwork network,
            List<SequenceEvent> events,
            SequenceBatch batch,
            SequenceLoss loss,
            SaddleFreeHessianFree optimizer) {
        List<SequenceEvent> curvatureEvents = events.subList(0, settings.curvatureBatch());
        RecurrentObjective objective =
                new RecurrentObjective(
                        network,
                        batch,
                        loss,
                        batch(curvatureEvents, settings.timeSteps(), settings.task().inputSize()),
                        settings.task().loss(curvatureEvents, settings.timeSteps()));
        HessianFreeStep step = optimizer.step(objective);
        objective.copyToNetwork();
        return step;
    }

    /** The parameters with the Hessian-free optimizer's step count, damping and last step. */
    private static RecurrentModelState hessianFreeState(
            RecurrentNetwork network, SaddleFreeHessianFree optimizer) {
        RecurrentModelState state =
                new RecurrentModelState(network.parameters(), null, null, optimizer.iteration());
        state.damping = optimizer.damping();
        state.previousStep = optimizer.previousStep();
        return state;
    }

    /** Test accuracy and loss over how many examples; NONE where nothing was measured. */
    private record TestMeasurement(double accuracy, double loss, int examples) {
        static final TestMeasurement NONE = new TestMeasurement(Double.NaN, Double.NaN, 0);
    }

    /**
     * Classifies the first {@code examples} test images (at most all of them) with the network as
     * it is; nothing here changes a parameter.
     */
    private TestMeasurement measureTest(
            RecurrentNetwork network, int examples, String runId, long step) {
        int count = Math.min(examples, testSet.count());
        int chunk = settings.model() == RecurrentModelKind.LSTM ? LSTM_TEST_BATCH : URNN_TEST_BATCH;
        int timeSteps = testSet.sequenceLength();
        int correct = 0;
        double lossSum = 0;
        for (int first = 0; first < count; first += chunk) {
            int size = Math.min(chunk, count - first);
            double[] inputs = new double[timeSteps * size];
            int[] labels = new int[size];
            for (int b = 0; b < size; b++) {
                float[] pixels = testSet.sequence(first + b);
                for (int t = 0; t < timeSteps; t++) {
                    inputs[t * size + b] = pixels[t];
                }
                labels[b] = testSet.label(first + b);
            }
            double[] outputs = network.outputs(new SequenceBatch(timeSteps, size, 1, inputs));
            correct += PixelByPixelTask.correctAtLastStep(outputs, labels, timeSteps);
            lossSum +=
                    size
                            * SequenceTask.lastStepCrossEntropy(labels, timeSteps)
                                    .evaluate(
                                            outputs,
                                            timeSteps,
                                            size,
                                            PixelByPixelTask.CLASSES,
                                            new double[outputs.length]);
        }
        TestMeasurement measurement =
                new TestMeasurement(correct / (double) count, lossSum / count, count);
        LOG.info(
                "Run {}: step {} test accuracy {} and loss {} on {} held-out images",
                runId,
                step,
                measurement.accuracy(),
                measurement.loss(),
                count);
        return measurement;
    }

    private static int[] labels(List<SequenceEvent> events) {
        int[] labels = new int[events.size()];
        for (int b = 0; b < labels.length; b++) {
            labels[b] = events.get(b).targetClasses[0];
        }
        return labels;
    }

    private static SequenceBatch batch(List<SequenceEvent> events, int timeSteps, int inputSize) {
        int batchSize = events.size();
        double[] inputs = new double[timeSteps * batchSize * inputSize];
        for (int b = 0; b < batchSize; b++) {
            float[] sequence = events.get(b).inputs;
            for (int t = 0; t < timeSteps; t++) {
                for (int i = 0; i < inputSize; i++) {
                    inputs[(t * batchSize + b) * inputSize + i] = sequence[t * inputSize + i];
                }
            }
        }
        return new SequenceBatch(timeSteps, batchSize, inputSize, inputs);
    }

    private static int[] targetClasses(List<SequenceEvent> events) {
        int batchSize = events.size();
        int timeSteps = events.get(0).targetClasses.length;
        int[] targets = new int[timeSteps * batchSize];
        for (int b = 0; b < batchSize; b++) {
            for (int t = 0; t < timeSteps; t++) {
                targets[t * batchSize + b] = events.get(b).targetClasses[t];
            }
        }
        return targets;
    }

    /**
     * Rescales a gradient of Euclidean norm {@code norm} to norm {@code clip} when it is longer
     * (Pascanu, Mikolov and Bengio, <a href="https://arxiv.org/abs/1211.5063">arXiv:1211.5063</a>),
     * which keeps one exploding step of backpropagation through time from undoing the training;
     * {@code clip} 0 leaves it alone.
     */
    static void clipToNorm(double[] gradient, double norm, double clip) {
        if (clip > 0 && norm > clip) {
            double scale = clip / norm;
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] *= scale;
            }
        }
    }

    private static double norm(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value * value;
        }
        return Math.sqrt(sum);
    }

    /** What one step measured, before the update (loss, accuracy) and of its gradient. */
    private record StepMeasurements(
            double loss,
            double accuracy,
            double gradientNorm,
            double[] stateGradientNorms,
            boolean applied,
            TestMeasurement test,
            HessianFreeStep hessianFree) {}

    private SequenceTrainingMetrics metrics(
            String runId,
            RunProgress run,
            StepMeasurements step,
            RecurrentNetwork network,
            int timeSteps) {
        // Throughput is the one wall-clock number here; it is reported, never trained on.
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastMetricsNanos) / 1e9);
        double samplesPerSecond = examplesSinceMetrics / seconds;
        lastMetricsNanos = now;
        examplesSinceMetrics = 0;
        SequenceTrainingMetrics.Builder record =
                SequenceTrainingMetrics.newBuilder()
                        .setRunId(runId)
                        .setModel(network.modelName())
                        .setTask(settings.task().optionName())
                        .setSeed(settings.seed())
                        .setTaskSeed(run.seed)
                        .setConfiguration(new HashMap<>(settings.describe()))
                        .setStep(run.batches)
                        .setBatchSize(settings.batchSize())
                        .setTimeSteps(timeSteps)
                        .setApplied(step.applied())
                        .setLoss(step.loss())
                        .setBaselineLoss(settings.task().baselineLoss(timeSteps))
                        .setAccuracy(step.accuracy())
                        .setUnitarityDeviation(network.unitarityDeviation())
                        .setGradientNorm(step.gradientNorm())
                        .setStateGradientNorms(
                                Arrays.stream(step.stateGradientNorms()).boxed().toList())
                        .setSamplesPerSecond(samplesPerSecond)
                        .setDataOffset(run.dataOffset)
                        .setDeadLetters(run.deadLetters)
                        .setSkippedSteps(run.skippedSteps)
                        .setTestAccuracy(step.test().accuracy())
                        .setTestLoss(step.test().loss())
                        .setTestExamples(step.test().examples())
                        .setParameterHash(network.parameterHash());
        HessianFreeStep hessianFree = step.hessianFree();
        if (hessianFree != null) {
            record.setCurvatureBatch(settings.curvatureBatch())
                    .setDamping(hessianFree.damping())
                    .setNextDamping(hessianFree.nextDamping())
                    .setInnerIterations(hessianFree.innerIterations())
                    .setCurvatureProducts(hessianFree.curvatureProducts())
                    .setPredictedReduction(hessianFree.predictedReduction())
                    .setActualReduction(hessianFree.actualReduction())
                    .setReductionRatio(hessianFree.reductionRatio())
                    .setStepLength(hessianFree.stepLength())
                    .setMostNegativeCurvature(hessianFree.mostNegativeCurvature())
                    .setNegativeCurvatureMet(hessianFree.negativeCurvatureMet());
        }
        return record.build();
    }
}
