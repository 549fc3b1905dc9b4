package io.latentflow.job.operators;

/**
 * A decoded latent draw on its way to the trainer, or the notice that a latent record was rejected.
 */
public class LatentEvent {
    public String runId;
    public long seed;
    public long sequence;
    public float[] prior;
    public float[] noise;
    public long offset;
    public boolean rejected;

    /** For Flink's POJO serializer. */
    public LatentEvent() {}

    public static LatentEvent draw(
            String runId, long seed, long sequence, float[] prior, float[] noise, long offset) {
        LatentEvent event = new LatentEvent();
        event.runId = runId;
        event.seed = seed;
        event.sequence = sequence;
        event.prior = prior;
        event.noise = noise;
        event.offset = offset;
        return event;
    }

    public static LatentEvent rejection(String runId, long offset) {
        LatentEvent event = new LatentEvent();
        event.runId = runId;
        event.sequence = -1;
        event.offset = offset;
        event.rejected = true;
        return event;
    }
}
