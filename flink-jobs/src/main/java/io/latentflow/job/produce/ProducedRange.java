package io.latentflow.job.produce;

/**
 * What one call of a producer wrote: a gapless range of sequence numbers and the offsets the broker
 * gave their records. Every record of a run has the run's key, so all land on one partition.
 *
 * @param topic the topic written to
 * @param partition the partition the records landed on
 * @param firstSequence the sequence number of the first record
 * @param lastSequence the sequence number of the last record
 * @param firstOffset the offset of the first record
 * @param lastOffset the offset of the last record
 */
public record ProducedRange(
        String topic,
        int partition,
        long firstSequence,
        long lastSequence,
        long firstOffset,
        long lastOffset) {

    /** Returns the number of records written. */
    public long count() {
        return lastSequence - firstSequence + 1;
    }
}
