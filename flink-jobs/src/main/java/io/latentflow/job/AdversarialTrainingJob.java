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
import io.latentflow.job.operators.ReplayedRun;
import io.latentflow.job.operators.SnapshotChunker;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.ModelSnapshotChunk;
import io.latentflow.schema.SampleGrid;
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
 * decoded and paired by run and sequence, trained, with metrics, model snapshots, sample grids and
 * dead letters out.
 *
 * <pre>
 *   data topic   -> DataSampleDecoder   --\
 *                                          +-> AdversarialTrainer (by run)  -> metrics topic
 *   latent topic -> LatentSampleDecoder --/         |-> snapshot topic
 *                                                   \-> images topic
 *   rejected records of both decoders -> dead-letter topic
 * </pre>
 *
 * <p>A replay puts a selection between the decoders and the trainer that keeps one recorded run's
 * events and renames them to the replay's run id.
 */
public final class AdversarialTrainingJob {
    /**
     * Key groups of the trainer's state. Fixed, so that a savepoint of a job restores into one of
     * any parallelism up to this.
     */
    public static final int MAX_PARALLELISM = 128;

    private AdversarialTrainingJob() {}

    /**
     * Adds the job to {@code env}; the caller executes it. When {@code env} checkpoints, every
     * output topic is written exactly once, in transactions committed with the checkpoints;
     * otherwise at least once, and visible at once.
     *
     * @return the trainer's metrics stream, for callers that want to watch it
     */
    public static DataStream<TrainingMetrics> build(
            StreamExecutionEnvironment env, JobSettings settings) {
        env.setMaxParallelism(MAX_PARALLELISM);
        boolean exactlyOnce = env.getCheckpointConfig().isCheckpointingEnabled();
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
                        .uid("data-topic-source")
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
                        .uid("latent-topic-source")
                        .process(new LatentSampleDecoder(latentDim, settings.defaultRunId()))
                        .name("LatentSampleDecoder")
                        .uid("latent-sample-decoder");

        DataStream<DataEvent> trainedData = data;
        DataStream<LatentEvent> trainedLatents = latents;
        if (settings.replayedRunId() != null) {
            trainedData =
                    data.flatMap(
                                    new ReplayedRun.Data(
                                            settings.replayedRunId(), settings.defaultRunId()))
                            .name("ReplayedRunData")
                            .uid("replayed-run-data");
            trainedLatents =
                    latents.flatMap(
                                    new ReplayedRun.Latents(
                                            settings.replayedRunId(), settings.defaultRunId()))
                            .name("ReplayedRunLatents")
                            .uid("replayed-run-latents");
        }

        SingleOutputStreamOperator<TrainingMetrics> metrics =
                trainedData
                        .keyBy(event -> event.runId)
                        .connect(trainedLatents.keyBy(event -> event.runId))
                        .process(new AdversarialTrainer(settings.trainer()))
                        .name("AdversarialTrainer")
                        .uid("adversarial-trainer");

        metrics.sinkTo(
                        sink(
                                settings,
                                exactlyOnce,
                                settings.topics().metrics(),
                                TrainingMetrics.class,
                                TrainingMetrics::getRunId,
                                null))
                .name("MetricsTopicSink")
                .uid("metrics-topic-sink");
        metrics.getSideOutput(AdversarialTrainer.SNAPSHOTS)
                .flatMap(new SnapshotChunker(SnapshotChunker.CHUNK_BYTES))
                .name("SnapshotChunker")
                .uid("snapshot-chunker")
                .sinkTo(
                        sink(
                                settings,
                                exactlyOnce,
                                settings.topics().snapshots(),
                                ModelSnapshotChunk.class,
                                ModelSnapshotChunk::getRunId,
                                null))
                .name("SnapshotTopicSink")
                .uid("snapshot-topic-sink");
        metrics.getSideOutput(AdversarialTrainer.GRIDS)
                .sinkTo(
                        sink(
                                settings,
                                exactlyOnce,
                                settings.topics().images(),
                                SampleGrid.class,
                                SampleGrid::getRunId,
                                TopicAdministration.IMAGES_MAX_MESSAGE_BYTES))
                .name("ImagesTopicSink")
                .uid("images-topic-sink");
        DataStream<DeadLetter> deadLetters =
                data.getSideOutput(DeadLetters.OUTPUT)
                        .union(latents.getSideOutput(DeadLetters.OUTPUT));
        deadLetters
                .sinkTo(
                        sink(
                                settings,
                                exactlyOnce,
                                settings.topics().deadLetter(),
                                DeadLetter.class,
                                letter -> letter.getSourceTopic(),
                                null))
                .name("DeadLetterTopicSink")
                .uid("dead-letter-topic-sink");
        return metrics;
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
            boolean exactlyOnce,
            String topic,
            Class<T> recordClass,
            RecordKeySerializer.SerializableKey<T> keyOf,
            Integer maxRecordBytes) {
        return KafkaEndpoints.sink(
                settings.bootstrapServers(),
                topic,
                recordClass,
                keyOf,
                maxRecordBytes,
                exactlyOnce,
                "latentflow-" + settings.defaultRunId() + "-" + topic);
    }
}
