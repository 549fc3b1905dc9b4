package io.latentflow.job;

import io.latentflow.job.operators.AutoencoderTrainer;
import io.latentflow.job.operators.DataEvent;
import io.latentflow.job.operators.DataSampleDecoder;
import io.latentflow.job.operators.DeadLetters;
import io.latentflow.schema.AutoencoderTrainingMetrics;
import io.latentflow.schema.DeadLetter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Wires the streaming training job of the deep autoencoder: images in from the data topic, decoded,
 * batched by run and sequence, trained with a first-order or Hessian-free optimizer, with metrics
 * and dead letters out.
 *
 * <pre>
 *   data topic -> DataSampleDecoder -> AutoencoderTrainer (by run) -> metrics topic
 *   rejected records -> dead-letter topic
 * </pre>
 */
public final class AutoencoderTrainingJob {
    private AutoencoderTrainingJob() {}

    /** Adds the job to {@code env}; the caller executes it. */
    public static void build(StreamExecutionEnvironment env, AutoencoderJobSettings settings) {
        SingleOutputStreamOperator<DataEvent> images =
                env.fromSource(
                                KafkaEndpoints.source(
                                        settings.bootstrapServers(),
                                        settings.defaultRunId(),
                                        settings.topics().data(),
                                        settings.dataStart(),
                                        settings.dataStop()),
                                WatermarkStrategy.noWatermarks(),
                                "DataTopicSource")
                        .process(
                                new DataSampleDecoder(
                                        settings.trainer().widths()[0], settings.defaultRunId()))
                        .name("DataSampleDecoder")
                        .uid("data-sample-decoder");

        SingleOutputStreamOperator<AutoencoderTrainingMetrics> metrics =
                images.keyBy(event -> event.runId)
                        .process(new AutoencoderTrainer(settings.trainer()))
                        .name("AutoencoderTrainer")
                        .uid("autoencoder-trainer");

        metrics.sinkTo(
                        KafkaEndpoints.sink(
                                settings.bootstrapServers(),
                                settings.topics().metrics(),
                                AutoencoderTrainingMetrics.class,
                                AutoencoderTrainingMetrics::getRunId,
                                null))
                .name("MetricsTopicSink");
        images.getSideOutput(DeadLetters.OUTPUT)
                .sinkTo(
                        KafkaEndpoints.sink(
                                settings.bootstrapServers(),
                                settings.topics().deadLetter(),
                                DeadLetter.class,
                                letter -> letter.getSourceTopic(),
                                null))
                .name("DeadLetterTopicSink");
    }
}
