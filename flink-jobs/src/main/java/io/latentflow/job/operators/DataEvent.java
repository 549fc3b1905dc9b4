package io.latentflow.job.operators;

/**
 * A decoded data sample on its way to the trainer, or the notice that a data record was rejected.
 *
 * <p>Rejections travel to the trainer of their run so that its metrics can count them; the record
 * itself goes to the dead-letter topic.
 */
public class DataEvent {
    public String runId;
    public long sequence;
    public float[] pixels;
    public long offset;
    public boolean rejected;

    /** For Flink's POJO serializer. */
    public DataEvent() {}

    public static DataEvent sample(String runId, long sequence, float[] pixels, long offset) {
        DataEvent event = new DataEvent();
        event.runId = runId;
        event.sequence = sequence;
        event.pixels = pixels;
        event.offset = offset;
        return event;
    }

    public static DataEvent rejection(String runId, long offset) {
        DataEvent event = new DataEvent();
        event.runId = runId;
        event.sequence = -1;
        event.offset = offset;
        event.rejected = true;
        return event;
    }
}
