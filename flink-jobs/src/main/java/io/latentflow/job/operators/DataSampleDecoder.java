package io.latentflow.job.operators;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.DataSample;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes data-topic records into {@link DataEvent}s and rejects, to the dead-letter output, every
 * record that does not decode, has the wrong shape, or holds values outside [0, 1].
 *
 * <p>A rejected record is also announced to the trainer of its run (or of the job's default run
 * when its bytes do not say which), so that the run's metrics count it.
 */
public class DataSampleDecoder extends ProcessFunction<KafkaPayload, DataEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(DataSampleDecoder.class);

    private final AvroWireFormat<DataSample> wireFormat = AvroWireFormat.dataSamples();

    private final int expectedPixels;
    private final String defaultRunId;
    private transient Counter rejected;

    public DataSampleDecoder(int expectedPixels, String defaultRunId) {
        this.expectedPixels = expectedPixels;
        this.defaultRunId = defaultRunId;
    }

    @Override
    public void open(OpenContext openContext) {
        rejected = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(KafkaPayload payload, Context ctx, Collector<DataEvent> out) {
        try {
            DataSample sample = decode(payload);
            out.collect(
                    DataEvent.sample(
                            sample.getRunId(),
                            sample.getSequence(),
                            toArray(sample.getPixels()),
                            payload.offset));
        } catch (RecordRejectedException e) {
            reject(payload, e.getMessage(), null, e.runId(), ctx, out);
        } catch (Exception e) {
            String reason = "not a DataSample in Avro single-object encoding: " + e.getMessage();
            reject(payload, reason, e, null, ctx, out);
        }
    }

    private DataSample decode(KafkaPayload payload) throws Exception {
        if (payload.value == null) {
            throw new RecordRejectedException(null, "record has no value");
        }
        DataSample sample = wireFormat.decode(payload.value);
        String runId = sample.getRunId();
        int pixels = sample.getPixels().size();
        if (sample.getHeight() * sample.getWidth() != pixels) {
            throw new RecordRejectedException(
                    runId,
                    "pixels hold "
                            + pixels
                            + " values but height x width is "
                            + sample.getHeight()
                            + " x "
                            + sample.getWidth());
        }
        if (pixels != expectedPixels) {
            throw new RecordRejectedException(
                    runId, "sample has " + pixels + " pixels, the model takes " + expectedPixels);
        }
        if (sample.getSequence() < 0) {
            throw new RecordRejectedException(
                    runId, "negative sequence number " + sample.getSequence());
        }
        int index = 0;
        for (float value : sample.getPixels()) {
            if (!(value >= 0f && value <= 1f)) {
                throw new RecordRejectedException(
                        runId, "pixel " + index + " is " + value + ", outside [0, 1]");
            }
            index++;
        }
        return sample;
    }

    private void reject(
            KafkaPayload payload,
            String reason,
            Throwable error,
            String runId,
            Context ctx,
            Collector<DataEvent> out) {
        LOG.warn("Rejected data record {}: {}", payload, reason);
        rejected.inc();
        ctx.output(DeadLetters.OUTPUT, DeadLetters.of(payload, reason, error));
        out.collect(DataEvent.rejection(runId == null ? defaultRunId : runId, payload.offset));
    }

    static float[] toArray(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
