package io.latentflow.job.operators;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.DataSample;

/**
 * Decodes data-topic records into {@link DataEvent}s; a record that does not decode, has the wrong
 * shape or a negative sequence number, or holds values outside [0, 1] becomes a dead letter.
 */
public class DataSampleDecoder extends RecordDecoder<DataSample, DataEvent> {
    private final int expectedPixels;

    public DataSampleDecoder(int expectedPixels, String defaultRunId) {
        super(AvroWireFormat.dataSamples(), defaultRunId);
        this.expectedPixels = expectedPixels;
    }

    @Override
    DataEvent toEvent(DataSample sample, long offset) throws RecordRejectedException {
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
        float[] values = toArray(sample.getPixels());
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0f && values[i] <= 1f)) {
                throw new RecordRejectedException(
                        runId, "pixel " + i + " is " + values[i] + ", outside [0, 1]");
            }
        }
        return DataEvent.sample(runId, sample.getSequence(), values, offset);
    }

    @Override
    DataEvent rejection(String runId, long offset) {
        return DataEvent.rejection(runId, offset);
    }
}
