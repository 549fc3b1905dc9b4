package io.latentflow.job.operators;

/** A record decoded but cannot be trained on; the message says why. */
final class RecordRejectedException extends Exception {
    private final String runId;

    RecordRejectedException(String runId, String reason) {
        super(reason);
        this.runId = runId;
    }

    /** The run the record named, or null when it could not be read. */
    String runId() {
        return runId;
    }
}
