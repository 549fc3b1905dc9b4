package io.latentflow.job;

import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.TrainerSettings;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything the streaming training job needs to know: where Kafka is, which topics and offsets to
 * read, and how to train.
 *
 * @param bootstrapServers the Kafka cluster
 * @param topics the topics read and written
 * @param defaultRunId the run that rejected records are counted against when their bytes do not say
 *     which run they belonged to
 * @param trainer how each run is trained
 * @param dataStart first offsets to read on the data topic; null reads from the earliest
 * @param dataStop offsets to stop before on the data topic; null reads forever
 * @param latentStart first offsets to read on the latent topic; null reads from the earliest
 * @param latentStop offsets to stop before on the latent topic; null reads forever
 * @param replayedRunId null to train every run found on the topics under its own id; otherwise only
 *     this run's records are trained, as run {@code defaultRunId}
 */
public record JobSettings(
        String bootstrapServers,
        TopicNames topics,
        String defaultRunId,
        TrainerSettings trainer,
        Map<TopicPartition, Long> dataStart,
        Map<TopicPartition, Long> dataStop,
        Map<TopicPartition, Long> latentStart,
        Map<TopicPartition, Long> latentStop,
        String replayedRunId) {}
