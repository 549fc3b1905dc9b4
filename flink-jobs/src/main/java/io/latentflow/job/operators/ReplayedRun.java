package io.latentflow.job.operators;

import java.util.Objects;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Selects one recorded run's events for a replay and renames them to the replay's run id, so that
 * the replay trains in state of its own and its records say which run they belong to. Events of
 * other runs that share the topics are dropped.
 */
public final class ReplayedRun {
    private ReplayedRun() {}

    /** The replayed run's data events, renamed. */
    public static final class Data implements FlatMapFunction<DataEvent, DataEvent> {
        private final String recordedRunId;
        private final String replayRunId;

        public Data(String recordedRunId, String replayRunId) {
            this.recordedRunId = Objects.requireNonNull(recordedRunId, "recordedRunId");
            this.replayRunId = Objects.requireNonNull(replayRunId, "replayRunId");
        }

        @Override
        public void flatMap(DataEvent event, Collector<DataEvent> out) {
            if (recordedRunId.equals(event.runId)) {
                event.runId = replayRunId;
                out.collect(event);
            }
        }
    }

    /** The replayed run's latent events, renamed. */
    public static final class Latents implements FlatMapFunction<LatentEvent, LatentEvent> {
        private final String recordedRunId;
        private final String replayRunId;

        public Latents(String recordedRunId, String replayRunId) {
            this.recordedRunId = Objects.requireNonNull(recordedRunId, "recordedRunId");
            this.replayRunId = Objects.requireNonNull(replayRunId, "replayRunId");
        }

        @Override
        public void flatMap(LatentEvent event, Collector<LatentEvent> out) {
            if (recordedRunId.equals(event.runId)) {
                event.runId = replayRunId;
                out.collect(event);
            }
        }
    }
}
