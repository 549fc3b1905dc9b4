package io.latentflow.job.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code latentflow} command line: train locally, watch and plot runs, feed a cluster, run the
 * job, measure.
 */
@Command(
        name = "latentflow",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description =
                "Streaming trainer for generative models: Kafka in, Flink training, Kafka out.",
        subcommands = {
            TrainCommand.class,
            ReplayCommand.class,
            GenerateCommand.class,
            EncodeCommand.class,
            MonitorCommand.class,
            PlotCommand.class,
            ProduceCommand.class,
            BrokerCommand.class,
            JobCommand.class,
            BenchCommand.class,
            DiagnoseCommand.class,
            CommandLine.HelpCommand.class
        })
public final class LatentFlowCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LatentFlowCommand.class);

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with LatentFlow's error reporting: one line per failure, no trace, and for a
     * mistake in the arguments one more line that says where the usage is.
     */
    static CommandLine commandLine() {
        return new CommandLine(new LatentFlowCommand())
                .setExecutionExceptionHandler(LatentFlowCommand::reportFailure)
                .setParameterExceptionHandler(LatentFlowCommand::reportMisuse);
    }

    private static int reportMisuse(CommandLine.ParameterException misuse, String[] args) {
        CommandLine command = misuse.getCommandLine();
        String name = command.getCommandSpec().qualifiedName(" ");
        PrintWriter err = command.getErr();
        err.println(command.getColorScheme().errorText(name + ": " + misuse.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(misuse, err);
        err.println("Try '" + name + " --help'.");
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int reportFailure(
            Exception failure, CommandLine command, CommandLine.ParseResult parseResult) {
        LOG.debug("{} failed", command.getCommandName(), failure);
        command.getErr()
                .println(
                        command.getColorScheme()
                                .errorText(
                                        "latentflow "
                                                + command.getCommandName()
                                                + ": "
                                                + describe(failure)));
        command.getErr().flush();
        return 1;
    }

    /** The failure's own message, and its causes' where they add something. */
    static String describe(Throwable failure) {
        StringBuilder message = new StringBuilder(messageOf(failure));
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            String text = messageOf(cause);
            if (!message.toString().contains(text)) {
                message.append(": ").append(text);
            }
        }
        return message.toString();
    }

    private static String messageOf(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
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
