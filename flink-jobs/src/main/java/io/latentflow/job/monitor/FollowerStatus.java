package io.latentflow.job.monitor;

/**
 * Where the monitor's topic follower stands, as the page shows it. It names the topic but never the
 * brokers, so that a page shared with others gives away no addresses.
 *
 * @param state {@code starting}, {@code connected}, {@code waiting-for-topic} or {@code
 *     disconnected}
 * @param topic the metrics topic followed
 * @param records metrics records read so far
 * @param skipped records on the topic that were not metrics records (another record type, or bytes
 *     that could not be read) and were skipped
 */
public record FollowerStatus(String state, String topic, long records, long skipped) {

    /** Returns whether the follower reaches a broker and reads the topic. */
    public boolean connected() {
        return "connected".equals(state);
    }
}
