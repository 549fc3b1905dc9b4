package io.latentflow.job.operators;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.LatentSample;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes latent-topic records into {@link LatentEvent}s and rejects, to the dead-letter output,
 * every record that does not decode, has draws of the wrong dimension, or non-finite values.
 */
public class LatentSampleDecoder extends ProcessFunction<KafkaPayload, LatentEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(LatentSampleDecoder.class);

    private final AvroWireFormat<LatentSample> wireFormat = AvroWireFormat.latentSamples();

    private final int latentDim;
    private final String defaultRunId;
    private transient Counter rejected;

    public LatentSampleDecoder(int latentDim, String defaultRunId) {
        this.latentDim = latentDim;
        this.defaultRunId = defaultRunId;
    }

    @Override
    public void open(OpenContext openContext) {
        rejected = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(KafkaPayload payload, Context ctx, Collector<LatentEvent> out) {
        try {
            LatentSample sample = decode(payload);
            out.collect(
                    LatentEvent.draw(
                            sample.getRunId(),
                            sample.getSeed(),
                            sample.getSequence(),
                            checked(sample.getRunId(), "prior", sample.getPrior()),
                            checked(sample.getRunId(), "noise", sample.getNoise()),
                            payload.offset));
        } catch (RecordRejectedException e) {
            reject(payload, e.getMessage(), null, e.runId(), ctx, out);
        } catch (Exception e) {
            String reason = "not a LatentSample in Avro single-object encoding: " + e.getMessage();
            reject(payload, reason, e, null, ctx, out);
        }
    }

    private LatentSample decode(KafkaPayload payload) throws Exception {
        if (payload.value == null) {
            throw new RecordRejectedException(null, "record has no value");
        }
        LatentSample sample = wireFormat.decode(payload.value);
        if (sample.getSequence() < 0) {
            throw new RecordRejectedException(
                    sample.getRunId(), "negative sequence number " + sample.getSequence());
        }
        return sample;
    }

    private float[] checked(String runId, String name, List<Float> values)
            throws RecordRejectedException {
        if (values.size() != latentDim) {
            throw new RecordRejectedException(
                    runId,
                    name
                            + " has "
                            + values.size()
                            + " values, the model's latent has "
                            + latentDim);
        }
        float[] array = DataSampleDecoder.toArray(values);
        for (int i = 0; i < array.length; i++) {
            if (!Float.isFinite(array[i])) {
                throw new RecordRejectedException(runId, name + "[" + i + "] is " + array[i]);
            }
        }
        return array;
    }

    private void reject(
            KafkaPayload payload,
            String reason,
            Throwable error,
            String runId,
            Context ctx,
            Collector<LatentEvent> out) {
        LOG.warn("Rejected latent record {}: {}", payload, reason);
        rejected.inc();
        ctx.output(DeadLetters.OUTPUT, DeadLetters.of(payload, reason, error));
        out.collect(LatentEvent.rejection(runId == null ? defaultRunId : runId, payload.offset));
    }
}
