package io.latentflow.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.InstanceNoise;
import io.latentflow.core.model.NoiseSchedule;
import io.latentflow.core.model.SecondOrderTraining;
import io.latentflow.job.AdversarialTrainingJob;
import io.latentflow.job.JobSettings;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.operators.TrainerSettings;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Reruns a recorded run from its topics, with only its manifest to go by: the same records, from
 * the first or from a later offset or time, with the recorded configuration or a changed one, into
 * a new run id; and says whether the parameters and metrics came out bit for bit the same.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Rerun a recorded run from its data and latent topics into a new run id, from the"
                    + " beginning or from --from-offset or --from-timestamp, with its recorded"
                    + " configuration or with some of it changed.",
            "Prints the parameter and metrics hashes and whether they equal the recorded run's;"
                    + " writes manifest.json, metrics.csv and the snapshots into the run folder."
        })
final class ReplayCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayCommand.class);

    @Option(
            names = "--manifest",
            required = true,
            description = "manifest.json of the run to replay (from train or an earlier replay).")
    Path manifestFile;

    @Option(
            names = "--bootstrap-servers",
            description = "The Kafka cluster holding the run's topics (default: the manifest's).")
    String bootstrapServers;

    @Option(
            names = "--run-id",
            description = "Name of the replay (default: <recorded run>-replay-<date and time>).")
    String runId;

    @Option(
            names = "--run-dir",
            description = "Folder for the replay's outputs (default: runs/<run id>).")
    Path runDir;

    @Option(
            names = "--from-offset",
            description =
                    "Start at this offset of the data topic (within the run's range); the latent"
                            + " draws start at the same example. Default: the run's first record.")
    Long fromOffset;

    @Option(
            names = "--from-timestamp",
            description =
                    "Start at the first data record written at or after this time: an ISO-8601"
                            + " instant (2026-12-04T06:00:00Z) or milliseconds since the epoch.")
    String fromTimestamp;

    @Option(names = "--learning-rate", description = "Replace the recorded learning rate.")
    Double learningRate;

    @Option(names = "--instance-noise", description = "Replace the recorded instance noise sigma.")
    Double instanceNoise;

    @Option(
            names = "--noise-schedule",
            description = "Replace the recorded noise schedule: constant, linear or exponential.")
    String noiseSchedule;

    @Option(
            names = "--noise-anneal-steps",
            description = "Replace the recorded step at which annealed noise reaches 0.")
    Long noiseAnnealSteps;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Parallelism of the local Flink job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    /** What a replay reads and how it trains, worked out from the manifest and the options. */
    private record Plan(
            String bootstrap,
            String replayId,
            Path folder,
            long startOffset,
            long latentOffset,
            long skipped,
            long steps,
            TrainerSettings trainer) {}

    /** What the replay's job produced. */
    private record Outcome(List<TrainingMetrics> metrics, ModelSnapshot snapshot, double seconds) {}

    @Override
    public Integer call() throws Exception {
        if (fromOffset != null && fromTimestamp != null) {
            throw new IllegalArgumentException("give --from-offset or --from-timestamp, not both");
        }
        RunManifest recorded = RunManifest.read(manifestFile);
        if (recorded.runId().equals(runId)) {
            throw new IllegalArgumentException(
                    "--run-id "
                            + runId
                            + " is the recorded run's own id; a replay needs another, so that its"
                            + " metrics and snapshots on the topics stay apart from the run's");
        }
        String replayId =
                runId != null
                        ? runId
                        : recorded.runId()
                                + "-replay-"
                                + LocalDateTime.now()
                                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path folder = runDir != null ? runDir : Path.of("runs", replayId);
        RunOutputs.refuseFinishedRun(folder, "replay folder");
        Plan plan = plan(recorded, replayId, folder);
        boolean sameConfiguration = plan.trainer().describe().equals(recorded.configuration());
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Replay %s of run %s: %d steps from %s offset %d (record %d of the run) on %s%s%n",
                plan.replayId(),
                recorded.runId(),
                plan.steps(),
                recorded.data(),
                plan.startOffset(),
                plan.skipped(),
                plan.bootstrap(),
                sameConfiguration ? ", recorded configuration" : ", changed configuration");
        out.flush();
        Files.createDirectories(plan.folder());

        Outcome outcome = train(recorded, plan, out);
        String parameterHash = outcome.snapshot().getParameterHash();
        String metricsHash = MetricsHash.of(outcome.metrics());
        boolean sameParameters = parameterHash.equals(recorded.parameterHash());
        boolean sameMetrics = metricsHash.equals(recorded.metricsHash());
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("recordedParameterHash", recorded.parameterHash());
        comparison.put("recordedMetricsHash", recorded.metricsHash());
        comparison.put("sameConfiguration", sameConfiguration);
        comparison.put("fromTheBeginning", plan.skipped() == 0);
        comparison.put("parametersIdentical", sameParameters);
        comparison.put("metricsIdentical", sameMetrics);
        RunOutputs.writeMetricsCsv(plan.folder(), outcome.metrics());
        writeManifest(recorded, plan, outcome, metricsHash, comparison);

        out.printf(
                "Replayed %d steps in %.0f s.%nParameter hash %s: %s run %s%nMetrics hash   %s:"
                        + " %s run %s%n",
                plan.steps(),
                outcome.seconds(),
                parameterHash,
                sameParameters ? "bit-identical to" : "differs from",
                recorded.runId(),
                metricsHash,
                sameMetrics ? "bit-identical to" : "differs from",
                recorded.runId());
        out.println("Outputs in " + plan.folder().toAbsolutePath());
        out.flush();
        if (sameConfiguration && plan.skipped() == 0 && !(sameParameters && sameMetrics)) {
            // The log determines the model: a difference here means training is not reproducible.
            out.println(
                    "The recorded configuration from the first record did not reproduce the run.");
            out.flush();
            return 2;
        }
        return 0;
    }

    private Plan plan(RunManifest recorded, String replayId, Path folder) {
        String bootstrap =
                bootstrapServers != null ? bootstrapServers : recorded.bootstrapServers();
        long startOffset = startOffset(recorded, bootstrap);
        long skipped = startOffset - recorded.dataFrom();
        int batchSize = recorded.batchSize();
        long steps = (recorded.dataUntil() - startOffset) / batchSize;
        if (steps < 1) {
            throw new IllegalArgumentException(
                    "from offset "
                            + startOffset
                            + " fewer than one batch of "
                            + batchSize
                            + " records is left (the run's records end before "
                            + recorded.dataUntil()
                            + ")");
        }
        return new Plan(
                bootstrap,
                replayId,
                folder,
                startOffset,
                recorded.latentFrom() + skipped,
                skipped,
                steps,
                trainerSettings(recorded, steps).startingAt(recorded.firstSequence() + skipped));
    }

    /** Runs the replay's job in a local MiniCluster and collects its metrics and last snapshot. */
    private Outcome train(RunManifest recorded, Plan plan, PrintWriter out) throws Exception {
        String bootstrap = plan.bootstrap();
        Map<TopicPartition, Long> dataStart =
                onlyPartition(bootstrap, recorded.data(), plan.startOffset(), recorded.dataUntil());
        Map<TopicPartition, Long> dataStop = new LinkedHashMap<>(dataStart);
        dataStop.put(recorded.data(), recorded.dataUntil());
        Map<TopicPartition, Long> latentStart =
                onlyPartition(
                        bootstrap, recorded.latent(), plan.latentOffset(), recorded.latentUntil());
        Map<TopicPartition, Long> latentStop = new LinkedHashMap<>(latentStart);
        latentStop.put(recorded.latent(), recorded.latentUntil());
        Map<TopicPartition, Long> metricsStart =
                TopicAdministration.endOffsets(bootstrap, recorded.topics().metrics());
        Map<TopicPartition, Long> snapshotStart =
                TopicAdministration.endOffsets(bootstrap, recorded.topics().snapshots());

        ProgressDisplay<TrainingMetrics> progress =
                ProgressDisplay.adversarial(out, plan.steps(), System.console() != null);
        long started = System.nanoTime();
        List<TrainingMetrics> metrics;
        try (MetricsFollower<TrainingMetrics> follower =
                MetricsFollower.trainingMetrics(
                        bootstrap, metricsStart, plan.replayId(), progress::show)) {
            Thread following = new Thread(follower, "metrics-follower");
            following.setDaemon(true);
            following.start();
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(
                            parallelism, TrainCommand.localCluster());
            AdversarialTrainingJob.build(
                    env,
                    new JobSettings(
                            bootstrap,
                            recorded.topics(),
                            plan.replayId(),
                            plan.trainer(),
                            dataStart,
                            dataStop,
                            latentStart,
                            latentStop,
                            recorded.recordsRunId()));
            env.execute("latentflow-replay-" + plan.replayId());
            if (!follower.awaitStep(plan.steps(), Duration.ofSeconds(30))) {
                LOG.warn(
                        "Replay {}: the last metrics record did not arrive within 30 s",
                        plan.replayId());
            }
            progress.finish();
            metrics = follower.received();
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        Path snapshotFolder = Files.createDirectories(plan.folder().resolve("snapshots"));
        ModelSnapshot snapshot =
                SnapshotReader.readUntil(
                        bootstrap,
                        recorded.topics().snapshots(),
                        snapshotStart,
                        plan.replayId(),
                        plan.steps(),
                        Duration.ofSeconds(60),
                        each -> SnapshotFiles.write(snapshotFolder, each));
        return new Outcome(metrics, snapshot, seconds);
    }

    /** A manifest like train's, so that a replay can be replayed, and the comparison. */
    private static void writeManifest(
            RunManifest recorded,
            Plan plan,
            Outcome outcome,
            String metricsHash,
            Map<String, Object> comparison)
            throws java.io.IOException {
        ModelSnapshot snapshot = outcome.snapshot();
        TrainerSettings trainer = plan.trainer();
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("runId", plan.replayId());
        manifest.put("replayOf", recorded.runId());
        manifest.put("recordsRunId", recorded.recordsRunId());
        manifest.put("model", snapshot.getModel());
        manifest.put("seed", snapshot.getSeed());
        manifest.put("steps", plan.steps());
        manifest.put("configuration", new TreeMap<>(snapshot.getConfiguration()));
        manifest.put("parameterHash", snapshot.getParameterHash());
        manifest.put("bootstrapServers", plan.bootstrap());
        manifest.put(
                "topics",
                Map.of(
                        recorded.topics().data(),
                        range(recorded.data(), plan.startOffset(), recorded.dataUntil()),
                        recorded.topics().latent(),
                        range(recorded.latent(), plan.latentOffset(), recorded.latentUntil())));
        manifest.put("topicNames", RunManifest.describe(recorded.topics()));
        Map<String, Object> trainerSection = new LinkedHashMap<>();
        trainerSection.put("batchSize", trainer.batchSize());
        trainerSection.put("metricsInterval", trainer.metricsInterval());
        trainerSection.put("snapshotInterval", trainer.snapshotInterval());
        trainerSection.put("imageInterval", trainer.imageInterval());
        trainerSection.put("firstSequence", trainer.firstSequence());
        manifest.put("trainer", trainerSection);
        manifest.put("metricsRecords", outcome.metrics().size());
        manifest.put("metricsHash", metricsHash);
        manifest.put("comparedWithRecording", comparison);
        manifest.put("wallSeconds", Math.round(outcome.seconds() * 10) / 10.0);
        manifest.put("versions", new TreeMap<>(LatentFlowCommand.builtVersions()));
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(plan.folder().resolve("manifest.json").toFile(), manifest);
    }

    private long startOffset(RunManifest recorded, String bootstrap) {
        long offset = recorded.dataFrom();
        if (fromOffset != null) {
            offset = fromOffset;
        } else if (fromTimestamp != null) {
            long millis = parseTimestamp(fromTimestamp);
            offset = TopicAdministration.offsetForTimestamp(bootstrap, recorded.data(), millis);
            if (offset < 0) {
                throw new IllegalArgumentException(
                        "no record on " + recorded.data() + " was written at or after " + millis);
            }
            offset = Math.max(offset, recorded.dataFrom());
        }
        if (offset < recorded.dataFrom() || offset >= recorded.dataUntil()) {
            throw new IllegalArgumentException(
                    "offset "
                            + offset
                            + " is outside the run's records on "
                            + recorded.data()
                            + ", "
                            + recorded.dataFrom()
                            + " to "
                            + (recorded.dataUntil() - 1));
        }
        return offset;
    }

    private static long parseTimestamp(String text) {
        if (text.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(text);
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--from-timestamp takes an ISO-8601 instant or milliseconds, was " + text);
        }
    }

    /** The recorded trainer settings with this command's changes. */
    private TrainerSettings trainerSettings(RunManifest recorded, long steps) {
        Map<String, String> configuration = recorded.configuration();
        AdversarialConfig config = AdversarialConfig.fromDescription(configuration);
        if (learningRate != null) {
            config = config.withLearningRate(learningRate);
        }
        InstanceNoise noise = InstanceNoise.fromDescription(configuration);
        if (instanceNoise != null || noiseSchedule != null || noiseAnnealSteps != null) {
            NoiseSchedule schedule =
                    noiseSchedule != null ? NoiseSchedule.parse(noiseSchedule) : noise.schedule();
            long anneal = noiseAnnealSteps != null ? noiseAnnealSteps : noise.annealSteps();
            if (schedule != NoiseSchedule.CONSTANT && anneal < 1) {
                anneal = steps;
            }
            noise =
                    new InstanceNoise(
                            instanceNoise != null ? instanceNoise : noise.sigma(),
                            schedule,
                            anneal,
                            noise.onCode());
        }
        TrainerSettings settings =
                TrainerSettings.of(
                        config,
                        noise,
                        recorded.batchSize(),
                        steps,
                        recorded.metricsInterval(),
                        recorded.snapshotInterval(),
                        recorded.imageInterval());
        // A Hessian-free run replays with the same Hessian-free settings.
        return SecondOrderTraining.fromDescription(configuration)
                .map(settings::withSecondOrder)
                .orElse(settings);
    }

    /** Offsets that read nothing of a topic but the one partition's range. */
    private static Map<TopicPartition, Long> onlyPartition(
            String bootstrap, TopicPartition partition, long from, long until) {
        Map<TopicPartition, Long> offsets =
                new LinkedHashMap<>(TopicAdministration.endOffsets(bootstrap, partition.topic()));
        if (offsets.get(partition) == null || offsets.get(partition) < until) {
            throw new IllegalArgumentException(
                    partition + " ends before offset " + until + ": the run's records are gone");
        }
        offsets.put(partition, from);
        return offsets;
    }

    private static Map<String, Object> range(TopicPartition partition, long from, long until) {
        Map<String, Long> range = new LinkedHashMap<>();
        range.put("from", from);
        range.put("until", until);
        return Map.of("partition " + partition.partition(), range);
    }
}
