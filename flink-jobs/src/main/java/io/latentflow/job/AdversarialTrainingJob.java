package io.latentflow.job;

import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.operators.AdversarialTrainer;
import io.latentflow.job.operators.DataEvent;
import io.latentflow.job.operators.DataSampleDecoder;
import io.latentflow.job.operators.DeadLetters;
import io.latentflow.job.operators.KafkaPayload;
import io.latentflow.job.operators.LatentEvent;
import io.latentflow.job.operators.LatentSampleDecoder;
import io.latentflow.job.operators.RecordKeySerializer;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;

/**
 * Wires the streaming training job of an adversarial model (ALI or GAN): data and latent topics in,
 * decoded and paired by run and sequence, trained, with metrics, model snapshots and dead letters
 * out.
 *
 * <pre>
 *   data topic   -> DataSampleDecoder   --\
 *                                          +-> AdversarialTrainer (by run)  -> metrics topic
 *   latent topic -> LatentSampleDecoder --/         \-> snapshot topic
 *   rejected records of both decoders -> dead-letter topic
 * </pre>
 */
public final class AdversarialTrainingJob {
    /** A model snapshot of the default ali-mlp is about 23 MB. */
    public static final int MAX_SNAPSHOT_BYTES = TopicAdministration.SNAPSHOT_MAX_MESSAGE_BYTES;

    private AdversarialTrainingJob() {}

    /** Adds the job to {@code env}; the caller executes it. */
    public static void build(StreamExecutionEnvironment env, JobSettings settings) {
        int pixels = settings.trainer().config().dataDim();
        int latentDim = settings.trainer().config().latentDim();

        SingleOutputStreamOperator<DataEvent> data =
                env.fromSource(
                                source(
                                        settings,
                                        settings.topics().data(),
                                        settings.dataStart(),
                                        settings.dataStop()),
                                WatermarkStrategy.noWatermarks(),
                                "DataTopicSource")
                        .process(new DataSampleDecoder(pixels, settings.defaultRunId()))
                        .name("DataSampleDecoder")
                        .uid("data-sample-decoder");
        SingleOutputStreamOperator<LatentEvent> latents =
                env.fromSource(
                                source(
                                        settings,
                                        settings.topics().latent(),
                                        settings.latentStart(),
                                        settings.latentStop()),
                                WatermarkStrategy.noWatermarks(),
                                "LatentTopicSource")
                        .process(new LatentSampleDecoder(latentDim, settings.defaultRunId()))
                        .name("LatentSampleDecoder")
                        .uid("latent-sample-decoder");

        SingleOutputStreamOperator<TrainingMetrics> metrics =
                data.keyBy(event -> event.runId)
                        .connect(latents.keyBy(event -> event.runId))
                        .process(new AdversarialTrainer(settings.trainer()))
                        .name("AdversarialTrainer")
                        .uid("adversarial-trainer");

        metrics.sinkTo(
                        sink(
                                settings,
                                settings.topics().metrics(),
                                TrainingMetrics.class,
                                TrainingMetrics::getRunId,
                                null))
                .name("MetricsTopicSink");
        metrics.getSideOutput(AdversarialTrainer.SNAPSHOTS)
                .sinkTo(
                        sink(
                                settings,
                                settings.topics().snapshots(),
                                ModelSnapshot.class,
                                ModelSnapshot::getRunId,
                                MAX_SNAPSHOT_BYTES))
                .name("SnapshotTopicSink");
        DataStream<DeadLetter> deadLetters =
                data.getSideOutput(DeadLetters.OUTPUT)
                        .union(latents.getSideOutput(DeadLetters.OUTPUT));
        deadLetters
                .sinkTo(
                        sink(
                                settings,
                                settings.topics().deadLetter(),
                                DeadLetter.class,
                                letter -> letter.getSourceTopic(),
                                null))
                .name("DeadLetterTopicSink");
    }

    private static KafkaSource<KafkaPayload> source(
            JobSettings settings,
            String topic,
            Map<TopicPartition, Long> start,
            Map<TopicPartition, Long> stop) {
        return KafkaEndpoints.source(
                settings.bootstrapServers(), settings.defaultRunId(), topic, start, stop);
    }

    private static <T extends SpecificRecord> KafkaSink<T> sink(
            JobSettings settings,
            String topic,
            Class<T> recordClass,
            RecordKeySerializer.SerializableKey<T> keyOf,
            Integer maxRecordBytes) {
        return KafkaEndpoints.sink(
                settings.bootstrapServers(), topic, recordClass, keyOf, maxRecordBytes);
    }
}
