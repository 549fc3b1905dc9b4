package io.latentflow.job.operators;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.LatentSample;
import java.util.List;

/**
 * Decodes latent-topic records into {@link LatentEvent}s; a record that does not decode, has draws
 * of the wrong dimension or a negative sequence number, or holds non-finite values becomes a dead
 * letter.
 */
public class LatentSampleDecoder extends RecordDecoder<LatentSample, LatentEvent> {
    private final int latentDim;

    public LatentSampleDecoder(int latentDim, String defaultRunId) {
        super(AvroWireFormat.latentSamples(), defaultRunId);
        this.latentDim = latentDim;
    }

    @Override
    LatentEvent toEvent(LatentSample sample, long offset) throws RecordRejectedException {
        String runId = sample.getRunId();
        if (sample.getSequence() < 0) {
            throw new RecordRejectedException(
                    runId, "negative sequence number " + sample.getSequence());
        }
        return LatentEvent.draw(
                runId,
                sample.getSeed(),
                sample.getSequence(),
                checked(runId, "prior", sample.getPrior()),
                checked(runId, "noise", sample.getNoise()),
                offset);
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
        float[] array = toArray(values);
        for (int i = 0; i < array.length; i++) {
            if (!Float.isFinite(array[i])) {
                throw new RecordRejectedException(runId, name + "[" + i + "] is " + array[i]);
            }
        }
        return array;
    }

    @Override
    LatentEvent rejection(String runId, long offset) {
        return LatentEvent.rejection(runId, offset);
    }
}
