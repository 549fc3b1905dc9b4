package io.latentflow.job.operators;

/** Where one run's training stands: its next batch, what it consumed, what it rejected. */
public class RunProgress {
    /** Sequence number of the first example of the next mini-batch. */
    public long nextSequence;

    /** Mini-batches consumed, applied or not. */
    public long batches;

    /** Steps whose loss or gradients were not finite and were therefore not applied. */
    public long skippedSteps;

    /** Records of this run rejected to the dead-letter topic. */
    public long deadLetters;

    /** Records that arrived for a sequence already trained on, and were ignored. */
    public long duplicates;

    public long dataOffset = -1;
    public long latentOffset = -1;

    /** Snapshots of the run published so far; the version of the latest. */
    public long snapshotVersion;

    /** Seed of the run's latent stream; the model was initialized from it. */
    public long seed;

    /** For Flink's POJO serializer. */
    public RunProgress() {}
}
