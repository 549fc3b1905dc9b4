package io.latentflow.job.operators;

import java.util.Arrays;

/**
 * The value of one Kafka record, undecoded, with the coordinates it was read from.
 *
 * <p>Decoding happens in an operator rather than in the Kafka source so that a record that fails to
 * decode becomes a dead letter instead of failing the job.
 */
public class KafkaPayload {
    public String topic;
    public int partition;
    public long offset;
    public byte[] value;

    /** For Flink's POJO serializer. */
    public KafkaPayload() {}

    public KafkaPayload(String topic, int partition, long offset, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.value = value;
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset + " (" + lengthOf(value) + " bytes)";
    }

    private static int lengthOf(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof KafkaPayload)) {
            return false;
        }
        KafkaPayload that = (KafkaPayload) other;
        return topic.equals(that.topic)
                && partition == that.partition
                && offset == that.offset
                && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return topic.hashCode() * 31 + Long.hashCode(offset);
    }
}
