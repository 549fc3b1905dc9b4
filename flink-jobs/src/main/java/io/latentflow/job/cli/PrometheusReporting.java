package io.latentflow.job.cli;

import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Turns on Flink's Prometheus reporter in the configuration of a local MiniCluster, so that the
 * trainer's gauges (losses, accuracies, gradient norms, noise sigma, samples/s, dead letters) can
 * be scraped at {@code http://127.0.0.1:<port>/metrics} while a run trains.
 *
 * <p>On a Flink cluster the reporter belongs in the cluster's own configuration; a job cannot add
 * one there, so the option does nothing for a job submitted with {@code flink run}.
 */
final class PrometheusReporting {
    /** The reporter's name in Flink's configuration keys, {@code metrics.reporter.prom.*}. */
    static final String REPORTER = "prom";

    static final String FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    private PrometheusReporting() {}

    /**
     * Adds the reporter to {@code config}, serving on {@code port}.
     *
     * @throws IllegalArgumentException if the port is not 1 to 65535
     */
    static Configuration enable(Configuration config, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--prometheus-port must be 1 to 65535, was " + port);
        }
        config.set(option("factory.class"), FACTORY);
        config.set(option("port"), Integer.toString(port));
        return config;
    }

    private static org.apache.flink.configuration.ConfigOption<String> option(String name) {
        return ConfigOptions.key("metrics.reporter." + REPORTER + "." + name)
                .stringType()
                .noDefaultValue();
    }
}
