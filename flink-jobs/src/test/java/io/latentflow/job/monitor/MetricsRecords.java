package io.latentflow.job.monitor;

import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.schema.AutoencoderTrainingMetrics;
import io.latentflow.schema.SequenceTrainingMetrics;
import io.latentflow.schema.TrainingMetrics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Metrics records with values that follow from run and step, and a producer to write them. */
final class MetricsRecords {
    private MetricsRecords() {}

    /**
     * A record whose discriminator loss is {@code 1 + step / 1000} plus a wobble, so that a test
     * can tell which step a point came from.
     */
    static TrainingMetrics metrics(String runId, String model, long step) {
        boolean ali = model.startsWith("ali");
        double wobble = 0.1 * Math.sin(step / 7.0 + runId.hashCode());
        return TrainingMetrics.newBuilder()
                .setRunId(runId)
                .setModel(model)
                .setGeneratorCost("non-saturating")
                .setSeed(1)
                .setStep(step)
                .setBatchSize(20)
                .setApplied(true)
                .setDiscriminatorLoss(1 + step / 1000.0 + wobble)
                .setGeneratorLoss(0.7 + wobble)
                .setMeanRealScore(0.6)
                .setMeanFakeScore(0.4)
                .setDiscriminatorAccuracy(0.75)
                .setRealAccuracy(0.8 + wobble)
                .setFakeAccuracy(0.7 - wobble)
                .setDiscriminatorGradNorm(2.0 / (1 + step / 100.0))
                .setGeneratorGradNorm(0.5 * Math.exp(-step / 3000.0))
                .setEncoderGradNorm(ali ? 0.3 : 0)
                .setGeneratorGradNormMean(0.5)
                .setGeneratorGradNormVariance(0.01)
                .setGradNormWindow(50)
                .setJsdEstimate(0.2 + wobble / 2)
                .setInstanceNoiseSigma(0.1 * Math.exp(-step / 5000.0))
                .setWarning(step % 1000 == 0 ? "saturation check at step " + step : null)
                .setReconstructionError(ali ? 0.05 + 0.01 * wobble : Double.NaN)
                .setSamplesPerSecond(900 + 100 * wobble)
                .setDataOffset(step * 20)
                .setLatentOffset(step * 20)
                .setDeadLetters(step / 2000)
                .setSkippedSteps(0)
                .build();
    }

    /** A uRNN copying record whose loss is {@code 0.2 - step / 10000}, below the baseline later. */
    static SequenceTrainingMetrics sequenceMetrics(String runId, long step) {
        return SequenceTrainingMetrics.newBuilder()
                .setRunId(runId)
                .setModel("urnn")
                .setTask("copying")
                .setSeed(1)
                .setTaskSeed(1)
                .setConfiguration(Map.of())
                .setStep(step)
                .setBatchSize(20)
                .setTimeSteps(120)
                .setApplied(true)
                .setLoss(0.2 - step / 10000.0)
                .setBaselineLoss(0.1733)
                .setAccuracy(0.1 + step / 1000.0)
                .setUnitarityDeviation(1e-15)
                .setGradientNorm(0.5)
                .setStateGradientNorms(List.of(0.1, 0.2))
                .setSamplesPerSecond(400)
                .setDataOffset(step * 20)
                .setDeadLetters(0)
                .setSkippedSteps(0)
                .setTestAccuracy(step % 100 == 0 ? 0.5 : Double.NaN)
                .setTestLoss(Double.NaN)
                .setTestExamples(0)
                .setParameterHash("00")
                .build();
    }

    /** A Hessian-free autoencoder record whose training error is {@code 100 / step}. */
    static AutoencoderTrainingMetrics autoencoderMetrics(String runId, long step) {
        return AutoencoderTrainingMetrics.newBuilder()
                .setRunId(runId)
                .setModel("autoencoder")
                .setOptimizer("sfhf")
                .setSeed(1)
                .setConfiguration(Map.of())
                .setStep(step)
                .setExamples(step * 6000)
                .setPasses(step * 0.1)
                .setComputePasses(step * 1.5)
                .setTrainingSeconds(step * 20.0)
                .setApplied(true)
                .setTrainingLoss(0.5)
                .setTrainingError(100.0 / step)
                .setEvaluationExamples(1000)
                .setBatchSize(6000)
                .setCurvatureBatch(600)
                .setDamping(1.0 / step)
                .setInnerIterations(25)
                .setParameterHash("00")
                .setSamplesPerSecond(300)
                .setDataOffset(step * 6000)
                .setDeadLetters(0)
                .setSkippedSteps(0)
                .build();
    }

    /** Writes records as the job does: keyed by run, in Avro single-object encoding. */
    static void produce(String bootstrap, String topic, List<TrainingMetrics> records) {
        AvroWireFormat<TrainingMetrics> format = AvroWireFormat.trainingMetrics();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (TrainingMetrics record : records) {
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                record.getRunId().toString().getBytes(),
                                format.encode(record)));
            }
            producer.flush();
        }
    }

    /** Writes records of any of the metrics kinds, each with its own schema's header. */
    @SuppressWarnings("unchecked")
    static void produceAny(String bootstrap, String topic, List<SpecificRecord> records) {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (SpecificRecord record : records) {
                AvroWireFormat<SpecificRecord> format =
                        (AvroWireFormat<SpecificRecord>) AvroWireFormat.of(record.getClass());
                producer.send(new ProducerRecord<>(topic, format.encode(record)));
            }
            producer.flush();
        }
    }

    /** Writes raw values, for records that are not metrics. */
    static void produceRaw(String bootstrap, String topic, List<byte[]> values) {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, value));
            }
            producer.flush();
        }
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(config);
    }
}
