package io.latentflow.job.cli;

import io.latentflow.schema.TrainingMetrics;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * A SHA-256 over everything a run's metrics records say about its training, one record per step in
 * step order, so that two runs can be compared bit for bit by one string.
 *
 * <p>The Hessian-free fields are hashed only in records that have them. Left out are the run id,
 * which a replay changes, and the samples per second, the one wall-clock number. A step repeated on
 * the topic (at-least-once delivery after a failure) counts once, the last copy kept; copies say
 * the same.
 */
final class MetricsHash {
    private MetricsHash() {}

    static String of(List<TrainingMetrics> metrics) {
        TreeMap<Long, TrainingMetrics> byStep = new TreeMap<>();
        metrics.forEach(m -> byStep.put(m.getStep(), m));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (TrainingMetrics m : byStep.values()) {
                write(out, m);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    private static void write(DataOutputStream out, TrainingMetrics m) throws IOException {
        out.writeUTF(m.getModel().toString());
        out.writeUTF(m.getGeneratorCost().toString());
        out.writeLong(m.getSeed());
        out.writeLong(m.getStep());
        out.writeInt(m.getBatchSize());
        out.writeBoolean(m.getApplied());
        for (double value :
                new double[] {
                    m.getDiscriminatorLoss(),
                    m.getGeneratorLoss(),
                    m.getMeanRealScore(),
                    m.getMeanFakeScore(),
                    m.getDiscriminatorAccuracy(),
                    m.getRealAccuracy(),
                    m.getFakeAccuracy(),
                    m.getDiscriminatorGradNorm(),
                    m.getGeneratorGradNorm(),
                    m.getEncoderGradNorm(),
                    m.getGeneratorGradNormMean(),
                    m.getGeneratorGradNormVariance(),
                    m.getJsdEstimate(),
                    m.getInstanceNoiseSigma(),
                    m.getReconstructionError()
                }) {
            out.writeLong(Double.doubleToLongBits(value));
        }
        out.writeInt(m.getGradNormWindow());
        out.writeUTF(m.getWarning() == null ? "" : m.getWarning().toString());
        out.writeLong(m.getDataOffset());
        out.writeLong(m.getLatentOffset());
        out.writeLong(m.getDeadLetters());
        out.writeLong(m.getSkippedSteps());
        out.writeLong(m.getDuplicates());
        // Hessian-free fields enter only where a step set them, so Adam runs hash as before.
        if (m.getDiscriminatorDamping() != null) {
            out.writeUTF(String.valueOf(m.getOptimizer()));
            for (Number value : RunOutputs.secondOrderFields(m)) {
                out.writeLong(Double.doubleToLongBits(value.doubleValue()));
            }
        }
    }
}
