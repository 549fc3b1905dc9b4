package io.latentflow.job;

import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.operators.AutoencoderTrainerSettings;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything the autoencoder training job needs to know: where Kafka is, which topics and offsets
 * to read, and how to train.
 *
 * @param bootstrapServers the Kafka cluster
 * @param topics the topics read and written; the images are on the data topic
 * @param defaultRunId the run that rejected records are counted against when their bytes do not say
 *     which run they belonged to
 * @param trainer how each run is trained
 * @param dataStart first offsets to read on the data topic; null reads from the earliest
 * @param dataStop offsets to stop before on the data topic; null reads forever
 */
public record AutoencoderJobSettings(
        String bootstrapServers,
        TopicNames topics,
        String defaultRunId,
        AutoencoderTrainerSettings trainer,
        Map<TopicPartition, Long> dataStart,
        Map<TopicPartition, Long> dataStop) {}
