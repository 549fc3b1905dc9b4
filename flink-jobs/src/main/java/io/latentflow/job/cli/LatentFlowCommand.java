package io.latentflow.job.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code latentflow} command line: train locally, feed a cluster, run the job, measure. */
@Command(
        name = "latentflow",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description =
                "Streaming trainer for generative models: Kafka in, Flink training, Kafka out.",
        subcommands = {
            TrainCommand.class,
            ProduceCommand.class,
            JobCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class LatentFlowCommand implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new LatentFlowCommand()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                new CommandLine(this), "Name a command, for example: latentflow train");
    }

    /** Versions of LatentFlow and of the libraries it was built against. */
    static Properties builtVersions() {
        Properties versions = new Properties();
        try (InputStream in =
                LatentFlowCommand.class.getResourceAsStream("/latentflow-versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        } catch (IOException e) {
            versions.setProperty("error", e.getMessage());
        }
        return versions;
    }

    /** Prints the built-against versions for {@code --version}. */
    static final class Versions implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties versions = builtVersions();
            return versions.stringPropertyNames().stream()
                    .sorted()
                    .map(name -> name + " " + versions.getProperty(name))
                    .toArray(String[]::new);
        }
    }
}
