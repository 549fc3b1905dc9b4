package io.latentflow.job.operators;

import io.latentflow.job.kafka.AvroWireFormat;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the Kafka records of one input topic into events for the trainer, and every record that
 * cannot be trained on into a dead letter: one that does not decode, or that decodes to values the
 * model cannot take.
 *
 * <p>A rejected record is also announced to the trainer of its run (or of the job's default run
 * when its bytes do not say which), so that the run's metrics count it.
 *
 * @param <R> the Avro record type on the topic
 * @param <E> the event the trainer receives
 */
abstract class RecordDecoder<R extends SpecificRecord, E> extends ProcessFunction<KafkaPayload, E> {
    private static final Logger LOG = LoggerFactory.getLogger(RecordDecoder.class);

    private final AvroWireFormat<R> wireFormat;
    private final String defaultRunId;
    private transient Counter rejected;

    RecordDecoder(AvroWireFormat<R> wireFormat, String defaultRunId) {
        this.wireFormat = wireFormat;
        this.defaultRunId = defaultRunId;
    }

    /** The event for a decoded record, or a rejection saying what is wrong with it. */
    abstract E toEvent(R record, long offset) throws RecordRejectedException;

    /** The notice to the trainer of {@code runId} that a record at {@code offset} was rejected. */
    abstract E rejection(String runId, long offset);

    @Override
    public void open(OpenContext openContext) {
        rejected = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(KafkaPayload payload, Context ctx, Collector<E> out) {
        R record;
        try {
            record = wireFormat.decode(payload.value);
        } catch (Exception e) {
            String reason =
                    "not a "
                            + wireFormat.type().getSimpleName()
                            + " in Avro single-object encoding: "
                            + e.getMessage();
            reject(payload, reason, e, defaultRunId, ctx, out);
            return;
        }
        try {
            out.collect(toEvent(record, payload.offset));
        } catch (RecordRejectedException e) {
            reject(payload, e.getMessage(), null, e.runId(), ctx, out);
        }
    }

    private void reject(
            KafkaPayload payload,
            String reason,
            Throwable error,
            String runId,
            Context ctx,
            Collector<E> out) {
        LOG.warn("Rejected record {} of run {}: {}", payload, runId, reason);
        rejected.inc();
        ctx.output(DeadLetters.OUTPUT, DeadLetters.of(payload, reason, error));
        out.collect(rejection(runId, payload.offset));
    }

    static float[] toArray(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
