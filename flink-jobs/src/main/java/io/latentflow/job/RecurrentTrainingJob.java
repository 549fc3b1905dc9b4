package io.latentflow.job;

import io.latentflow.job.operators.DeadLetters;
import io.latentflow.job.operators.RecurrentNetworkTrainer;
import io.latentflow.job.operators.RecurrentTrainerSettings;
import io.latentflow.job.operators.SequenceEvent;
import io.latentflow.job.operators.SequenceSampleDecoder;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.SequenceTrainingMetrics;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Wires the streaming training job of a recurrent model on a sequence task: the task's sequences in
 * from the data topic, decoded, batched by run and sequence, trained, with metrics and dead letters
 * out.
 *
 * <pre>
 *   data topic -> SequenceSampleDecoder -> RecurrentNetworkTrainer (by run) -> metrics topic
 *   rejected records -> dead-letter topic
 * </pre>
 */
public final class RecurrentTrainingJob {
    private RecurrentTrainingJob() {}

    /** Adds the job to {@code env}; the caller executes it. */
    public static void build(StreamExecutionEnvironment env, RecurrentJobSettings settings) {
        RecurrentTrainerSettings trainer = settings.trainer();
        SingleOutputStreamOperator<SequenceEvent> sequences =
                env.fromSource(
                                KafkaEndpoints.source(
                                        settings.bootstrapServers(),
                                        settings.defaultRunId(),
                                        settings.topics().data(),
                                        settings.dataStart(),
                                        settings.dataStop()),
                                WatermarkStrategy.noWatermarks(),
                                "SequenceTopicSource")
                        .process(
                                new SequenceSampleDecoder(
                                        trainer.task(),
                                        trainer.timeSteps(),
                                        settings.defaultRunId()))
                        .name("SequenceSampleDecoder")
                        .uid("sequence-sample-decoder");

        SingleOutputStreamOperator<SequenceTrainingMetrics> metrics =
                sequences
                        .keyBy(event -> event.runId)
                        .process(new RecurrentNetworkTrainer(trainer))
                        .name("RecurrentNetworkTrainer")
                        .uid("recurrent-network-trainer");

        metrics.sinkTo(
                        KafkaEndpoints.sink(
                                settings.bootstrapServers(),
                                settings.topics().metrics(),
                                SequenceTrainingMetrics.class,
                                SequenceTrainingMetrics::getRunId,
                                null))
                .name("MetricsTopicSink");
        sequences
                .getSideOutput(DeadLetters.OUTPUT)
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
