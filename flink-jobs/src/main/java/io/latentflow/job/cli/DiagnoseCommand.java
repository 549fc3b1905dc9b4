package io.latentflow.job.cli;

import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.produce.IdxImageSource;
import io.latentflow.job.produce.SplitMix64;
import io.latentflow.schema.ModelSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the targeted experiment of Arjovsky and Bottou (<a
 * href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>, figures 1 to 3) on snapshots of a
 * trained generator: for each snapshot, with instance noise off and on, a fresh discriminator
 * trains against the frozen generator while the generator's gradient norm under each cost is
 * measured (see {@link FrozenGeneratorProbe}).
 *
 * <p>The probe's examples and latent draws travel through Kafka like a training run's, under the
 * probe's own run id, and are read back from the same offsets for every snapshot and noise level,
 * so every setting sees the same batches and the same noise draws.
 */
@Command(
        name = "diagnose",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Train a fresh discriminator against the frozen generator of model snapshots and"
                    + " measure the generator's gradient under the minimax and the -log D cost,"
                    + " with instance noise off and on (Arjovsky and Bottou, arXiv:1701.04862).",
            "Writes into the output folder: diagnose.csv, accuracy.png, gradients-minimax.png,"
                    + " gradients-non-saturating.png, gradients-non-saturating-spread.png and"
                    + " summary.txt; each measurement also goes to the metrics topic as a"
                    + " DiscriminatorProbe record."
        })
final class DiagnoseCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DiagnoseCommand.class);

    /**
     * Separates the fresh discriminator's weights from the probe's streams, which draw from the
     * same seed.
     */
    static final long FRESH_DISCRIMINATOR_SALT = 0x6672_6573_6844_6973L;

    /** How long reading waits for the next record of the probe's streams before giving up. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(120);

    @Option(
            names = "--snapshot",
            required = true,
            description =
                    "A model snapshot file, or a run folder whose snapshots --step picks;"
                            + " repeatable.")
    List<Path> snapshotPaths;

    @Option(
            names = "--step",
            description =
                    "With a run folder: probe its snapshot of this training step; repeatable.")
    List<Long> steps = new ArrayList<>();

    @Option(
            names = "--iterations",
            defaultValue = "2000",
            description =
                    "Discriminator updates per snapshot and noise level (default:"
                            + " ${DEFAULT-VALUE}).")
    int iterations;

    @Option(
            names = "--batch-size",
            defaultValue = "100",
            description = "Examples per mini-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seed of the probe: its data order, latent draws, instance noise and the fresh"
                            + " discriminator's weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--instance-noise",
            defaultValue = "0.1",
            description =
                    "Standard deviation of the instance noise of the noise-on setting; every"
                            + " snapshot is probed without noise and with this much, or only"
                            + " without when 0 (default: ${DEFAULT-VALUE}).")
    double instanceNoise;

    @Option(
            names = "--measure-every",
            defaultValue = "10",
            description =
                    "Measure the gradient norms every N iterations, and at the first and last"
                            + " (default: ${DEFAULT-VALUE}).")
    int measureEvery;

    @Option(
            names = "--dataset-path",
            defaultValue = "/usr/share/datasets/fashion-mnist",
            description =
                    "Fashion-MNIST IDX files: a folder or the training images file (default:"
                            + " ${DEFAULT-VALUE}).")
    Path datasetPath;

    @Option(
            names = "--bootstrap-servers",
            description =
                    "A Kafka cluster (host:port,...); without it, a broker starts in this process"
                            + " with its files under the output folder, removed on exit.")
    String bootstrapServers;

    @Option(names = "--out", description = "Folder for the outputs (default: runs/<probe run id>).")
    Path outputFolder;

    @Option(
            names = "--topic-prefix",
            defaultValue = "latentflow",
            description = "Prefix of the topic names (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        validate();
        List<ModelSnapshot> snapshots = readSnapshots();
        AdversarialConfig shape = commonShape(snapshots);
        IdxImageSource images = IdxImageSource.trainingSet(datasetPath);
        requireImagesFit(images, shape);
        String probeRunId =
                "diagnose-seed"
                        + seed
                        + "-"
                        + LocalDateTime.now()
                                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path folder = outputFolder != null ? outputFolder : Path.of("runs", probeRunId);
        Files.createDirectories(folder);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Probe %s: %d snapshot(s) x noise %s, %d iterations of %d, outputs in %s%n",
                probeRunId, snapshots.size(), noiseLevels(), iterations, batchSize, folder);
        out.flush();

        return BrokerForRun.run(
                bootstrapServers,
                folder,
                out,
                bootstrap ->
                        diagnose(probeRunId, folder, snapshots, shape, images, bootstrap, out));
    }

    private void validate() {
        requirePositive("--iterations", iterations);
        requirePositive("--batch-size", batchSize);
        requirePositive("--measure-every", measureEvery);
        if (!(instanceNoise >= 0) || Double.isInfinite(instanceNoise)) {
            throw new IllegalArgumentException(
                    "--instance-noise must be a finite number >= 0, was " + instanceNoise);
        }
    }

    private static void requirePositive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, was " + value);
        }
    }

    /** The noise levels each snapshot is probed with: none, and the one given unless it is 0. */
    List<Double> noiseLevels() {
        return instanceNoise == 0 ? List.of(0.0) : List.of(0.0, instanceNoise);
    }

    /** Reads every snapshot named, before anything starts, so a wrong path costs nothing. */
    List<ModelSnapshot> readSnapshots() throws IOException {
        List<ModelSnapshot> snapshots = new ArrayList<>();
        boolean anyFolder = false;
        for (Path path : snapshotPaths) {
            if (!Files.isDirectory(path)) {
                snapshots.add(SnapshotFiles.read(path, 0));
                continue;
            }
            anyFolder = true;
            if (steps.isEmpty()) {
                throw new IOException(
                        path
                                + " is a run folder: name the snapshots to probe with --step"
                                + stepsIn(path));
            }
            for (long step : steps) {
                snapshots.add(SnapshotFiles.read(path, step));
            }
        }
        if (!steps.isEmpty() && !anyFolder) {
            throw new IllegalArgumentException(
                    "--step picks snapshots from a run folder, but every --snapshot is a file");
        }
        return snapshots;
    }

    /** The steps of the snapshots a run folder holds, as a clause for a message. */
    private static String stepsIn(Path runFolder) throws IOException {
        Path folder = runFolder.resolve("snapshots");
        if (!Files.isDirectory(folder)) {
            return " (it holds no snapshots folder)";
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<String> found =
                    files.map(SnapshotFiles::stepOf)
                            .flatMap(Optional::stream)
                            .sorted()
                            .map(Object::toString)
                            .toList();
            return " (it holds steps " + String.join(", ", found) + ")";
        }
    }

    /** The configuration of the first snapshot, after checking every one takes the same input. */
    private static AdversarialConfig commonShape(List<ModelSnapshot> snapshots) {
        AdversarialConfig first =
                AdversarialConfig.fromDescription(snapshots.get(0).getConfiguration());
        for (ModelSnapshot snapshot : snapshots) {
            AdversarialConfig config =
                    AdversarialConfig.fromDescription(snapshot.getConfiguration());
            if (config.dataDim() != first.dataDim() || config.latentDim() != first.latentDim()) {
                throw new IllegalArgumentException(
                        String.format(
                                Locale.ROOT,
                                "the snapshots must share data and latent dimensions: step %d of"
                                        + " run %s has %d and %d, step %d of run %s %d and %d",
                                snapshot.getStep(),
                                snapshot.getRunId(),
                                config.dataDim(),
                                config.latentDim(),
                                snapshots.get(0).getStep(),
                                snapshots.get(0).getRunId(),
                                first.dataDim(),
                                first.latentDim()));
            }
        }
        return first;
    }

    private static void requireImagesFit(IdxImageSource images, AdversarialConfig shape) {
        int pixels = images.height() * images.width();
        if (pixels != shape.dataDim()) {
            throw new IllegalArgumentException(
                    "the dataset's images have "
                            + pixels
                            + " pixels, the snapshots' model takes "
                            + shape.dataDim());
        }
    }

    private int diagnose(
            String probeRunId,
            Path folder,
            List<ModelSnapshot> snapshots,
            AdversarialConfig shape,
            IdxImageSource images,
            String bootstrap,
            PrintWriter out)
            throws Exception {
        TopicNames topics = TopicNames.withPrefix(topicPrefix);
        TopicAdministration.ensureTopics(bootstrap, topics);
        long examples = (long) iterations * batchSize;
        StreamFeed feed = StreamFeed.plan(bootstrap, topics, probeRunId, examples);
        Thread feeding = feed.startInBackground(images, seed, shape.latentDim(), examples);
        LOG.info(
                "Probe {}: writing {} examples to {} on {}",
                probeRunId,
                examples,
                topics,
                bootstrap);

        FrozenGeneratorProbe probe =
                new FrozenGeneratorProbe(
                        probeRunId,
                        seed,
                        SplitMix64.mix(seed ^ FRESH_DISCRIMINATOR_SALT),
                        iterations,
                        measureEvery,
                        batchSize);
        DiagnoseOutputs outputs = new DiagnoseOutputs(folder, fromOneRun(snapshots));
        List<FrozenGeneratorProbe.Outcome> outcomes = new ArrayList<>();
        try (ProbeRecordWriter records = new ProbeRecordWriter(bootstrap, topics.metrics())) {
            for (ModelSnapshot snapshot : snapshots) {
                for (double sigma : noiseLevels()) {
                    outcomes.add(probeOne(probe, snapshot, sigma, feed, shape, records));
                    report(out, outputs, outcomes.get(outcomes.size() - 1));
                }
            }
        }
        feeding.join();
        feed.rethrowFailure();

        String summary = outputs.write(outcomes);
        out.println();
        out.print(summary);
        out.println("Outputs in " + folder.toAbsolutePath());
        out.flush();
        return 0;
    }

    private FrozenGeneratorProbe.Outcome probeOne(
            FrozenGeneratorProbe probe,
            ModelSnapshot snapshot,
            double sigma,
            StreamFeed feed,
            AdversarialConfig shape,
            ProbeRecordWriter records)
            throws IOException {
        try (ProbeBatchReader reader =
                new ProbeBatchReader(
                        feed, batchSize, shape.dataDim(), shape.latentDim(), IDLE_TIMEOUT)) {
            return probe.run(snapshot, sigma, reader, records::send);
        }
    }

    private static void report(
            PrintWriter out, DiagnoseOutputs outputs, FrozenGeneratorProbe.Outcome outcome) {
        double[] accuracy = outcome.accuracyPerIteration();
        out.printf(
                Locale.ROOT,
                "%s: %d iterations, discriminator accuracy %.3f at the first, %.3f at the last%n",
                outputs.label(outcome),
                accuracy.length,
                accuracy.length == 0 ? Double.NaN : accuracy[0],
                accuracy.length == 0 ? Double.NaN : accuracy[accuracy.length - 1]);
        out.flush();
    }

    private static boolean fromOneRun(List<ModelSnapshot> snapshots) {
        return snapshots.stream().map(ModelSnapshot::getRunId).distinct().count() == 1;
    }
}
