package io.latentflow.job.operators;

/**
 * A decoded training sequence on its way to the recurrent trainer, or the notice that a record was
 * rejected.
 *
 * <p>Rejections travel to the trainer of their run so that its metrics can count them; the record
 * itself goes to the dead-letter topic.
 */
public class SequenceEvent {
    public String runId;
    public long sequence;
    public long taskSeed;
    public int timeSteps;
    public float[] inputs;

    /** Copying: the target class of every step; pixel tasks: the one class; adding: null. */
    public int[] targetClasses;

    /** Adding: the last step's target; the other tasks: NaN. */
    public double targetValue;

    public long offset;
    public boolean rejected;

    /** For Flink's POJO serializer. */
    public SequenceEvent() {}

    public static SequenceEvent rejection(String runId, long offset) {
        SequenceEvent event = new SequenceEvent();
        event.runId = runId;
        event.sequence = -1;
        event.offset = offset;
        event.rejected = true;
        return event;
    }
}
