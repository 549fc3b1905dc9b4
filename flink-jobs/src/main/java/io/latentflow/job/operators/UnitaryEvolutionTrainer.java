package io.latentflow.job.operators;

import io.latentflow.core.optim.RmsProp;
import io.latentflow.core.recurrent.SequenceBatch;
import io.latentflow.core.recurrent.SequenceLoss;
import io.latentflow.core.recurrent.UnitaryEvolutionRnn;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.schema.SequenceTrainingMetrics;
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
 * Trains a unitary evolution RNN (Arjovsky, Shah and Bengio, <a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>) for each run it is keyed by, on the
 * run's stream of task sequences: each time the next mini-batch of sequences by sequence number is
 * complete, one step of backpropagation through time and one RMSProp update.
 *
 * <p>Batching by sequence, not by arrival, makes a run reproducible: mini-batch k holds sequences
 * k*B to k*B + B - 1 whatever the order records arrive in. The parameters, RMSProp's state, the
 * run's progress and the pending sequences live in Flink keyed state; the network is rebuilt from
 * them for every step, which costs a small fraction of the step.
 *
 * <p>Every metrics record carries the step's loss before the update against the task's memoryless
 * baseline, the recall accuracy (copying), the gradient norm and the deviation of W from unitarity
 * after the update.
 */
public class UnitaryEvolutionTrainer
        extends KeyedProcessFunction<String, SequenceEvent, SequenceTrainingMetrics> {
    private static final Logger LOG = LoggerFactory.getLogger(UnitaryEvolutionTrainer.class);

    private final RecurrentTrainerSettings settings;

    private transient ValueState<RecurrentModelState> model;
    private transient ValueState<RunProgress> progress;
    private transient MapState<Long, SequenceEvent> pending;
    private transient long lastMetricsNanos;
    private transient long examplesSinceMetrics;

    public UnitaryEvolutionTrainer(RecurrentTrainerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        model =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "urnn-model",
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
        UnitaryEvolutionRnn network =
                new UnitaryEvolutionRnn(
                        task.inputSize(),
                        settings.hiddenSize(),
                        task.outputSize(),
                        settings.seed());
        RmsProp optimizer =
                new RmsProp(
                        settings.learningRate(),
                        settings.decay(),
                        RecurrentTrainerSettings.EPSILON,
                        network.parameters().length);
        RecurrentModelState saved = model.value();
        if (saved == null) {
            LOG.info(
                    "Run {}: initialized a uRNN with {} hidden units from seed {} for {} at T = {}",
                    runId,
                    settings.hiddenSize(),
                    settings.seed(),
                    task.optionName(),
                    timeSteps);
        } else {
            System.arraycopy(saved.parameters, 0, network.parameters(), 0, saved.parameters.length);
            optimizer.restore(saved.updates, saved.meanSquare);
        }

        run.batches++;
        examplesSinceMetrics += batchSize;
        boolean report = run.batches == 1 || run.batches % settings.metricsInterval() == 0;
        double accuracy = Double.NaN;
        if (report && task == SequenceTask.COPYING) {
            accuracy =
                    CopyingMemoryTask.recallAccuracy(
                            network.outputs(batch), targetClasses(events), timeSteps, batchSize);
        }
        double[] gradient = new double[network.parameters().length];
        double[] stateGradientNorms = new double[timeSteps];
        double value = network.lossAndGradient(batch, loss, gradient, stateGradientNorms);
        double gradientNorm = norm(gradient);
        boolean applied = Double.isFinite(value) && Double.isFinite(gradientNorm);
        if (applied) {
            optimizer.update(network.parameters(), gradient);
        } else {
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
                new RecurrentModelState(
                        network.parameters(), optimizer.meanSquare(), optimizer.iteration()));

        if (report || finished(run) || !applied) {
            StepMeasurements step =
                    new StepMeasurements(
                            value, accuracy, gradientNorm, stateGradientNorms, applied);
            out.collect(metrics(runId, run, step, network, timeSteps));
        }
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
            boolean applied) {}

    private SequenceTrainingMetrics metrics(
            String runId,
            RunProgress run,
            StepMeasurements step,
            UnitaryEvolutionRnn network,
            int timeSteps) {
        // Throughput is the one wall-clock number here; it is reported, never trained on.
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastMetricsNanos) / 1e9);
        double samplesPerSecond = examplesSinceMetrics / seconds;
        lastMetricsNanos = now;
        examplesSinceMetrics = 0;
        return SequenceTrainingMetrics.newBuilder()
                .setRunId(runId)
                .setModel("urnn")
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
                .setStateGradientNorms(Arrays.stream(step.stateGradientNorms()).boxed().toList())
                .setSamplesPerSecond(samplesPerSecond)
                .setDataOffset(run.dataOffset)
                .setDeadLetters(run.deadLetters)
                .setSkippedSteps(run.skippedSteps)
                .build();
    }
}
