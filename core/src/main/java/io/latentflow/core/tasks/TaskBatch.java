package io.latentflow.core.tasks;

import io.latentflow.core.recurrent.SequenceBatch;
import io.latentflow.core.recurrent.SequenceLoss;

/**
 * A mini-batch of a sequence task: the inputs and the loss that holds the targets.
 *
 * @param inputs the input sequences, time-major
 * @param loss the task's cost on the model's outputs
 * @param firstSequence sequence number of the batch's first example; the others follow in order
 */
public record TaskBatch(SequenceBatch inputs, SequenceLoss loss, long firstSequence) {}
