package io.latentflow.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The inputs of one step of an {@link AdversarialModel}: every random draw arrives from outside, so
 * that a sequence of batches and a seed determine every parameter.
 *
 * @param data real data x [B, dataDim], in [0, 1]
 * @param prior prior codes z [B, latentDim] for the generator
 * @param encoderNoise standard normal noise eps [B, latentDim] for ALI's encoder codes mu + sigma *
 *     eps; ignored by models without an encoder, which may pass null
 * @param instanceNoise noise added to every input of the discriminator [2B, discriminator inputs],
 *     real pairs' rows first and generated pairs' rows after, already scaled by the noise level; or
 *     null for none (see {@link InstanceNoise})
 */
public record AdversarialBatch(
        INDArray data, INDArray prior, INDArray encoderNoise, INDArray instanceNoise) {

    /** A batch without instance noise. */
    public static AdversarialBatch of(INDArray data, INDArray prior, INDArray encoderNoise) {
        return new AdversarialBatch(data, prior, encoderNoise, null);
    }

    /** Returns a copy with the given instance noise, or none for null. */
    public AdversarialBatch withInstanceNoise(INDArray noise) {
        return new AdversarialBatch(data, prior, encoderNoise, noise);
    }

    /**
     * Returns the batch of the first count examples with their draws: rows 0 to count - 1 of every
     * array, and of the instance noise the real pairs' rows 0 to count - 1 followed by the
     * generated pairs' rows B to B + count - 1. Returns this batch when count is B.
     */
    public AdversarialBatch firstRows(int count) {
        int rows = size();
        if (count < 1 || count > rows) {
            throw new IllegalArgumentException(
                    "a batch of " + rows + " has no first " + count + " rows");
        }
        if (count == rows) {
            return this;
        }
        return new AdversarialBatch(
                head(data, 0, count),
                head(prior, 0, count),
                encoderNoise == null ? null : head(encoderNoise, 0, count),
                instanceNoise == null
                        ? null
                        : Nd4j.vstack(
                                head(instanceNoise, 0, count),
                                head(instanceNoise, rows, rows + count)));
    }

    private static INDArray head(INDArray array, int from, int to) {
        return array.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c');
    }

    /** Returns the number of examples B. */
    public int size() {
        return Math.toIntExact(data.rows());
    }
}
