package io.latentflow.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.diagnostics.JensenShannonEstimate;
import io.latentflow.core.diagnostics.SaturationDetector;
import io.latentflow.core.model.AdversarialBatch;
import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.core.model.InstanceNoise;
import io.latentflow.core.model.NoiseSchedule;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.flink.util.FileUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures ALI training speed two ways and prints a table: the core loop alone (one {@code
 * AdversarialModel.trainStep} after another on batches already in memory) and the whole pipeline
 * ({@code train} with its embedded broker and MiniCluster). Two more rows time, per step, what the
 * trainer adds to the core step: the diagnostics (the three gradient norms, the saturation window
 * and the Jensen-Shannon estimate) and instance noise (its draws and the addition).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Time ALI training steps: the core loop alone, then the whole Kafka + Flink pipeline.",
            "Threads follow OMP_NUM_THREADS. Compare with a peer measured in the same sitting."
        })
final class BenchCommand implements Callable<Integer> {
    private static final int WARM_UP_STEPS = 5;

    @Option(
            names = "--batch-size",
            defaultValue = "100",
            description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--core-steps",
            defaultValue = "30",
            description = "Timed core-loop steps after 5 of warm-up (default: ${DEFAULT-VALUE}).")
    int coreSteps;

    @Option(
            names = "--pipeline-steps",
            defaultValue = "200",
            description = "Steps of the pipeline run; 0 skips it (default: ${DEFAULT-VALUE}).")
    int pipelineSteps;

    @Option(
            names = "--dataset-path",
            defaultValue = "/usr/share/datasets/fashion-mnist",
            description = "Fashion-MNIST IDX files (default: ${DEFAULT-VALUE}).")
    Path datasetPath;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        IdxImages images = IdxReader.readImages(FashionMnist.trainingImages(datasetPath));
        double coreMillis = coreLoopMillisPerStep(images);
        double[] diagnosticsMillis = diagnosticsMillisPerStep();
        double noiseMillis = instanceNoiseMillisPerStep();
        double[] pipeline = pipelineSamplesPerSecond();

        out.printf(
                Locale.ROOT,
                "%nALI benchmark: %s, batch %d, float32, OMP_NUM_THREADS=%s, OMP_WAIT_POLICY=%s,"
                        + " load average at start %.2f%n",
                AdversarialConfig.mlpDefaults().model().configName(),
                batchSize,
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"),
                System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.println("| measured | steps | ms/step | samples/s |");
        out.println("|---|---|---|---|");
        row(out, "core loop: trainStep on in-memory batches", coreSteps, coreMillis);
        share(out, "diagnostics: the 3 gradient norms", diagnosticsMillis[0], coreMillis);
        share(out, "diagnostics: saturation window, JSD", diagnosticsMillis[1], coreMillis);
        share(out, "instance noise: draws and the add, x and z", noiseMillis, coreMillis);
        if (pipeline != null) {
            row(
                    out,
                    "pipeline, steady state: trainer's rate between metrics records",
                    pipelineSteps,
                    1000.0 * batchSize / pipeline[0]);
            row(
                    out,
                    "pipeline, end to end: broker start to last output file",
                    pipelineSteps,
                    1000.0 * batchSize / pipeline[1]);
        }
        out.flush();
        return 0;
    }

    private void row(PrintWriter out, String what, int steps, double millisPerStep) {
        out.printf(
                Locale.ROOT,
                "| %s | %d | %.1f | %.0f |%n",
                what,
                steps,
                millisPerStep,
                1000.0 * batchSize / millisPerStep);
    }

    private void share(PrintWriter out, String what, double millis, double coreMillis) {
        out.printf(
                Locale.ROOT,
                "| %s | %d | %.3f (%.2f %% of a core step) | |%n",
                what,
                coreSteps,
                millis,
                100 * millis / coreMillis);
    }

    /**
     * The per-step work of the trainer's diagnostics, on arrays of the default model's sizes: the
     * L2 norm of each network's gradient (the model computes them inside the step) and, second, the
     * saturation window and the Jensen-Shannon estimate.
     */
    private double[] diagnosticsMillisPerStep() {
        List<INDArray> gradients =
                List.copyOf(
                        AdversarialModel.initialize(
                                        AdversarialConfig.mlpDefaults(), 2, DataType.FLOAT)
                                .parameters()
                                .values());
        SaturationDetector detector = SaturationDetector.withDefaults();
        double[] norms = new double[WARM_UP_STEPS + coreSteps];
        long start = 0;
        for (int step = 0; step < norms.length; step++) {
            if (step == WARM_UP_STEPS) {
                start = System.nanoTime();
            }
            for (INDArray gradient : gradients) {
                norms[step] += gradient.norm2Number().doubleValue();
            }
        }
        double normMillis = (System.nanoTime() - start) / 1e6 / coreSteps;

        double sink = 0;
        start = System.nanoTime();
        for (double norm : norms) {
            sink += detector.observe(0.9, norm).isPresent() ? 1 : 0;
            sink += JensenShannonEstimate.fromDiscriminatorLoss(norm);
        }
        double windowMillis = (System.nanoTime() - start) / 1e6 / norms.length;
        return new double[] {normMillis, Double.isNaN(sink) ? Double.NaN : windowMillis};
    }

    /** Drawing sigma 0.1 noise for x and z of a batch's 2B pairs, and adding it to D's input. */
    private double instanceNoiseMillisPerStep() {
        AdversarialConfig config = AdversarialConfig.mlpDefaults();
        InstanceNoise noise = new InstanceNoise(0.1, NoiseSchedule.CONSTANT, 0, true);
        INDArray input =
                Nd4j.zeros(DataType.FLOAT, 2L * batchSize, config.dataDim() + config.latentDim());
        long[] seeds = new long[batchSize];
        long start = 0;
        for (int step = -WARM_UP_STEPS; step < coreSteps; step++) {
            if (step == 0) {
                start = System.nanoTime();
            }
            for (int i = 0; i < batchSize; i++) {
                seeds[i] = step * (long) batchSize + i;
            }
            input.addi(
                    noise.sample(
                            seeds, step, config.dataDim(), config.latentDim(), DataType.FLOAT));
        }
        return (System.nanoTime() - start) / 1e6 / coreSteps;
    }

    private double coreLoopMillisPerStep(IdxImages images) {
        AdversarialConfig config = AdversarialConfig.mlpDefaults();
        AdversarialModel model = AdversarialModel.initialize(config, 1, DataType.FLOAT);
        SplittableRandom random = new SplittableRandom(1);
        int batches = 8;
        AdversarialBatch[] batch = new AdversarialBatch[batches];
        for (int b = 0; b < batches; b++) {
            float[] pixels = new float[batchSize * config.dataDim()];
            for (int i = 0; i < batchSize; i++) {
                float[] image = images.image((b * batchSize + i) % images.count());
                System.arraycopy(image, 0, pixels, i * config.dataDim(), config.dataDim());
            }
            batch[b] =
                    AdversarialBatch.of(
                            Nd4j.create(
                                    pixels,
                                    new long[] {batchSize, config.dataDim()},
                                    DataType.FLOAT),
                            gaussian(random, batchSize, config.latentDim()),
                            gaussian(random, batchSize, config.latentDim()));
        }
        for (int step = 0; step < WARM_UP_STEPS; step++) {
            model.trainStep(batch[step % batches]);
        }
        long start = System.nanoTime();
        for (int step = 0; step < coreSteps; step++) {
            model.trainStep(batch[step % batches]);
        }
        return (System.nanoTime() - start) / 1e6 / coreSteps;
    }

    private static INDArray gaussian(SplittableRandom random, int rows, int columns) {
        float[] values = new float[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return Nd4j.create(values, new long[] {rows, columns}, DataType.FLOAT);
    }

    /** Steady-state and end-to-end samples/s of a {@code train} run, or null when skipped. */
    private double[] pipelineSamplesPerSecond() throws Exception {
        if (pipelineSteps == 0) {
            return null;
        }
        Path runDir = Files.createTempDirectory("latentflow-bench");
        try {
            return pipelineRates(runDir);
        } finally {
            FileUtils.deleteDirectory(runDir.toFile());
        }
    }

    private double[] pipelineRates(Path runDir) throws Exception {
        int exit =
                new CommandLine(new TrainCommand())
                        .execute(
                                "--steps", Integer.toString(pipelineSteps),
                                "--batch-size", Integer.toString(batchSize),
                                "--metrics-interval", "10",
                                "--run-id", "bench",
                                "--run-dir", runDir.toString(),
                                "--dataset-path", datasetPath.toString());
        if (exit != 0) {
            throw new IllegalStateException("The pipeline run failed; see the log above");
        }
        // Skip the first fifth of the run: JIT and the MiniCluster's first batches.
        List<String> rows = Files.readAllLines(runDir.resolve("metrics.csv"));
        int samplesPerSecond = List.of(rows.get(0).split(",")).indexOf("samples_per_second");
        double sum = 0;
        int count = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] fields = row.split(",");
            if (Long.parseLong(fields[0]) > pipelineSteps / 5) {
                sum += Double.parseDouble(fields[samplesPerSecond]);
                count++;
            }
        }
        JsonNode manifest = new ObjectMapper().readTree(runDir.resolve("manifest.json").toFile());
        double endToEnd =
                (double) pipelineSteps * batchSize / manifest.get("wallSeconds").asDouble();
        return new double[] {sum / count, endToEnd};
    }
}
