package io.latentflow.job.operators;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.SequenceSample;

/**
 * Decodes data-topic records into {@link SequenceEvent}s for the recurrent trainer; a record that
 * does not decode, belongs to another task, has another length or input size than the job trains
 * on, a negative sequence number, non-finite inputs, or targets the task cannot have becomes a dead
 * letter. A pixel record must also hold grey values in [0, 1] and one class.
 */
public class SequenceSampleDecoder extends RecordDecoder<SequenceSample, SequenceEvent> {
    private final SequenceTask task;
    private final int timeSteps;

    /**
     * Creates the decoder.
     *
     * @param task the task the job trains on
     * @param timeSteps the sequence length it expects, T + 20 for copying with delay T
     * @param defaultRunId the run that undecodable records are counted against
     */
    public SequenceSampleDecoder(SequenceTask task, int timeSteps, String defaultRunId) {
        super(AvroWireFormat.of(SequenceSample.class), defaultRunId);
        this.task = task;
        this.timeSteps = timeSteps;
    }

    @Override
    SequenceEvent toEvent(SequenceSample sample, long offset) throws RecordRejectedException {
        String runId = sample.getRunId();
        if (!task.optionName().equals(sample.getTask())) {
            throw new RecordRejectedException(
                    runId,
                    "a " + sample.getTask() + " sequence, the job trains " + task.optionName());
        }
        if (sample.getTimeSteps() != timeSteps || sample.getInputSize() != task.inputSize()) {
            throw new RecordRejectedException(
                    runId,
                    "sequence of "
                            + sample.getTimeSteps()
                            + " steps of "
                            + sample.getInputSize()
                            + " inputs, the model takes "
                            + timeSteps
                            + " of "
                            + task.inputSize());
        }
        if (sample.getInputs().size() != timeSteps * task.inputSize()) {
            throw new RecordRejectedException(
                    runId,
                    "inputs hold "
                            + sample.getInputs().size()
                            + " values, not T * inputSize = "
                            + timeSteps * task.inputSize());
        }
        if (sample.getSequence() < 0) {
            throw new RecordRejectedException(
                    runId, "negative sequence number " + sample.getSequence());
        }
        float[] inputs = toArray(sample.getInputs());
        for (int i = 0; i < inputs.length; i++) {
            if (!Float.isFinite(inputs[i])) {
                throw new RecordRejectedException(runId, "input " + i + " is " + inputs[i]);
            }
        }
        String problem = task.targetProblem(sample);
        if (problem != null) {
            throw new RecordRejectedException(runId, problem);
        }

        SequenceEvent event = new SequenceEvent();
        event.runId = runId;
        event.sequence = sample.getSequence();
        event.taskSeed = sample.getTaskSeed();
        event.timeSteps = timeSteps;
        event.inputs = inputs;
        event.offset = offset;
        if (task.hasClasses()) {
            event.targetClasses =
                    sample.getTargetClasses().stream().mapToInt(Integer::intValue).toArray();
            event.targetValue = Double.NaN;
        } else {
            event.targetValue = sample.getTargetValues().get(0);
        }
        return event;
    }

    @Override
    SequenceEvent rejection(String runId, long offset) {
        return SequenceEvent.rejection(runId, offset);
    }
}
