package io.latentflow.job.operators;

import io.latentflow.schema.DeadLetter;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side output that carries rejected records to the dead-letter topic, and how to fill it. */
public final class DeadLetters {

    /** Side output of every operator that can reject a record. */
    public static final OutputTag<DeadLetter> OUTPUT =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private DeadLetters() {}

    /** A dead letter for {@code payload}, with the reason and, when one was thrown, its class. */
    public static DeadLetter of(KafkaPayload payload, String reason, Throwable error) {
        byte[] value = payload.value == null ? new byte[0] : payload.value;
        return DeadLetter.newBuilder()
                .setSourceTopic(payload.topic)
                .setSourcePartition(payload.partition)
                .setSourceOffset(payload.offset)
                .setReason(reason)
                .setErrorClass(error == null ? null : error.getClass().getName())
                .setPayload(ByteBuffer.wrap(value))
                .build();
    }
}
