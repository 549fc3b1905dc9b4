package io.latentflow.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.monitor.CurvePlots;
import io.latentflow.job.monitor.MetricsCsv;
import io.latentflow.job.monitor.MetricsTopicFollower;
import io.latentflow.job.monitor.RunHistories;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Draws the monitor's curves as PNG files, from run folders or from the metrics topic. */
@Command(
        name = "plot",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Draw the monitor's curves as PNG files, every run overlaid: losses, discriminator"
                    + " accuracy, gradient norms (log scale), instance-noise sigma, the JSD"
                    + " estimate, reconstruction error, samples/s and dead letters.",
            "Reads the metrics.csv of run folders, or every record the metrics topic holds.",
            "Autoencoder run folders (train --model autoencoder) are drawn as the Hessian-free"
                    + " literature compares optimizers: training error by passes over the data"
                    + " and by seconds, with a table of where each run ended; other run folders"
                    + " given with them get their own charts in the same folder."
        })
final class PlotCommand implements Callable<Integer> {

    @ArgGroup(multiplicity = "1")
    Source source;

    /** Where the points come from: run folders or a Kafka cluster, not both. */
    static final class Source {
        @Option(
                names = "--run-dir",
                description =
                        "A run folder holding metrics.csv (and manifest.json for the run's name);"
                                + " repeat for several.")
        List<Path> runDirs;

        @Option(
                names = "--bootstrap-servers",
                description = "A Kafka cluster whose metrics topic to read from the beginning.")
        String bootstrapServers;
    }

    @Option(
            names = "--topic-prefix",
            defaultValue = "latentflow",
            description =
                    "With --bootstrap-servers: prefix of the topic names (default:"
                            + " ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(
            names = "--run-id",
            description =
                    "With --bootstrap-servers: a run to draw; repeat for several (default:"
                            + " every run on the topic).")
    List<String> runIds = List.of();

    @Option(
            names = "--output",
            defaultValue = "plots",
            description = "Folder for the PNG files (default: ${DEFAULT-VALUE}).")
    Path output;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> autoencoderRuns = new ArrayList<>();
        List<Path> otherRuns = new ArrayList<>();
        if (source.runDirs != null) {
            for (Path folder : source.runDirs) {
                (AutoencoderComparisonPlots.isAutoencoderRun(folder) ? autoencoderRuns : otherRuns)
                        .add(folder);
            }
        }
        if (!autoencoderRuns.isEmpty()) {
            // Autoencoder records have their own columns and are compared by passes and seconds,
            // so they get their own charts beside those of the other runs.
            Files.createDirectories(output);
            List<String> table = AutoencoderComparisonPlots.write(autoencoderRuns, output);
            out.printf(
                    "Drew %d autoencoder run%s into training-error-by-passes.png and"
                            + " training-error-by-seconds.png in %s%n",
                    autoencoderRuns.size(),
                    autoencoderRuns.size() == 1 ? "" : "s",
                    output.toAbsolutePath());
            table.forEach(out::println);
            out.flush();
            if (otherRuns.isEmpty()) {
                return 0;
            }
        }
        RunHistories histories = new RunHistories();
        if (source.runDirs != null) {
            for (Path folder : otherRuns) {
                readRunFolder(folder, histories);
            }
        } else {
            new MetricsTopicFollower(
                            source.bootstrapServers,
                            TopicNames.withPrefix(topicPrefix).metrics(),
                            MetricsTopicFollower.Start.BEGINNING,
                            Map.of(),
                            new LinkedHashSet<>(runIds),
                            histories)
                    .readToEnd(Duration.ofMinutes(2));
        }
        if (histories.runCount() == 0) {
            throw new IllegalArgumentException("No metrics found to plot");
        }
        Files.createDirectories(output);
        List<Path> files = CurvePlots.write(histories, output);
        out.printf(
                "Drew %d run%s (%s) into %d files in %s%n",
                histories.runCount(),
                histories.runCount() == 1 ? "" : "s",
                String.join(", ", histories.runIds()),
                files.size(),
                output.toAbsolutePath());
        out.flush();
        return 0;
    }

    private static void readRunFolder(Path folder, RunHistories histories) throws Exception {
        Path csv = folder.resolve("metrics.csv");
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("--run-dir " + folder + " has no metrics.csv");
        }
        String runId = folder.toAbsolutePath().normalize().getFileName().toString();
        String model = "";
        Path manifest = folder.resolve("manifest.json");
        if (Files.isRegularFile(manifest)) {
            JsonNode json = new ObjectMapper().readTree(manifest.toFile());
            runId = json.path("runId").asText(runId);
            model = json.path("model").asText("");
        }
        MetricsCsv.read(csv, runId, model, histories);
    }
}
