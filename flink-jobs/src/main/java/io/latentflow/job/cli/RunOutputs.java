package io.latentflow.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.image.ImageGrid;
import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.core.model.Ali;
import io.latentflow.core.plot.LossPlot;
import io.latentflow.job.operators.SampleGrids;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a finished run leaves in its folder: generated samples, reconstructions beside their inputs,
 * the loss curves, the metrics as CSV, and a manifest saying how to reproduce it all.
 */
final class RunOutputs {
    /** The run's manifest in its folder; a folder that holds one holds a finished run. */
    static final String MANIFEST = "manifest.json";

    /** What an autoencoder run writes where the other models write their manifest. */
    static final String AUTOENCODER_RUN_FILE = "run.json";

    /**
     * Refuses a folder that already holds a finished run of any model (its manifest.json or an
     * autoencoder's run.json), so that two runs' outputs never mix or overwrite each other.
     *
     * @param what how the message names the folder: "run folder", "replay folder"
     * @throws IllegalArgumentException naming the folder and the file found
     */
    static void refuseFinishedRun(Path folder, String what) {
        for (String file : List.of(MANIFEST, AUTOENCODER_RUN_FILE)) {
            if (Files.exists(folder.resolve(file))) {
                throw new IllegalArgumentException(
                        "the "
                                + what
                                + " "
                                + folder
                                + " already holds a run (its "
                                + file
                                + "); name another --run-dir or remove it, so that the runs'"
                                + " outputs do not mix");
            }
        }
    }

    private static final int EVALUATION_IMAGES = 1000;

    private final Path folder;
    private final Path datasetPath;
    private final IdxImages trainingImages;

    RunOutputs(Path folder, Path datasetPath, IdxImages trainingImages) {
        this.folder = folder;
        this.datasetPath = datasetPath;
        this.trainingImages = trainingImages;
    }

    /** Reconstruction error of the model on held-out images, and of the mean training image. */
    record Summary(double reconstructionError, double meanImageError, String evaluationSet) {}

    Summary write(
            ModelSnapshot snapshot,
            List<TrainingMetrics> metrics,
            StreamFeed feed,
            TrainingOptions options,
            String bootstrapServers,
            double seconds)
            throws IOException {
        AdversarialConfig config = AdversarialConfig.fromDescription(snapshot.getConfiguration());
        AdversarialModel model = AdversarialModel.fromParameters(config, parametersOf(snapshot));
        int height = trainingImages.height();
        int width = trainingImages.width();

        writeSamples(model, snapshot.getSeed(), height, width);
        IdxImages evaluation = evaluationImages();
        Summary summary = evaluate(model, evaluation);
        if (model instanceof Ali ali) {
            writeReconstructions(ali, evaluation, height, width);
        }
        writeLosses(metrics, model);
        writeDiagnostics(metrics);
        writeMetricsCsv(metrics);
        writeManifest(snapshot, metrics, feed, options, bootstrapServers, seconds, summary);
        return summary;
    }

    /** Decodes a snapshot's networks: little-endian float32 vectors, by network name. */
    static Map<String, float[]> parametersOf(ModelSnapshot snapshot) {
        Map<String, float[]> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, ByteBuffer> network : snapshot.getNetworks().entrySet()) {
            ByteBuffer bytes = network.getValue().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.remaining() / Float.BYTES];
            bytes.asFloatBuffer().get(values);
            parameters.put(network.getKey(), values);
        }
        return parameters;
    }

    private void writeSamples(AdversarialModel model, long seed, int height, int width)
            throws IOException {
        // The picture's codes come from their own stream of the run seed, not from the topics.
        ImageGrid.writePng(
                SampleGrids.samples(model, seed, height, width), folder.resolve("samples.png"));
    }

    private IdxImages evaluationImages() throws IOException {
        try {
            return IdxReader.readImages(FashionMnist.testImages(datasetPath));
        } catch (IOException e) {
            // A single training file was given: evaluate on its images instead.
            return trainingImages;
        }
    }

    private Summary evaluate(AdversarialModel model, IdxImages evaluation) {
        int count = Math.min(EVALUATION_IMAGES, evaluation.count());
        INDArray x = batchOf(evaluation, count);
        // A GAN has no encoder, so nothing to reconstruct with.
        double reconstruction = model instanceof Ali ali ? ali.reconstructionError(x) : Double.NaN;

        int pixels = trainingImages.pixelsPerImage();
        double[] mean = new double[pixels];
        for (int i = 0; i < trainingImages.count(); i++) {
            float[] image = trainingImages.image(i);
            for (int p = 0; p < pixels; p++) {
                mean[p] += image[p];
            }
        }
        double squaredError = 0;
        for (int i = 0; i < count; i++) {
            float[] image = evaluation.image(i);
            for (int p = 0; p < pixels; p++) {
                double difference = image[p] - mean[p] / trainingImages.count();
                squaredError += difference * difference;
            }
        }
        String set = evaluation == trainingImages ? "training" : "test";
        return new Summary(reconstruction, squaredError / ((double) count * pixels), set);
    }

    private void writeReconstructions(Ali model, IdxImages evaluation, int height, int width)
            throws IOException {
        INDArray x = batchOf(evaluation, SampleGrids.RECONSTRUCTION_PAIRS);
        ImageGrid.writePng(
                SampleGrids.reconstructions(model, x, height, width),
                folder.resolve("reconstructions.png"));
    }

    private static INDArray batchOf(IdxImages images, int count) {
        int pixels = images.pixelsPerImage();
        float[] values = new float[count * pixels];
        for (int i = 0; i < count; i++) {
            System.arraycopy(images.image(i), 0, values, i * pixels, pixels);
        }
        return Nd4j.create(values, new long[] {count, pixels}, DataType.FLOAT);
    }

    private void writeLosses(List<TrainingMetrics> metrics, AdversarialModel model)
            throws IOException {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("discriminator L_D", seriesOf(metrics, TrainingMetrics::getDiscriminatorLoss));
        if (model instanceof Ali) {
            series.put(
                    "generator + encoder cost",
                    seriesOf(metrics, TrainingMetrics::getGeneratorLoss));
            series.put(
                    "reconstruction MSE x10",
                    seriesOf(metrics, m -> 10 * m.getReconstructionError()));
        } else {
            series.put("generator cost", seriesOf(metrics, TrainingMetrics::getGeneratorLoss));
        }
        String title =
                model.config().model().configName()
                        + " training losses ("
                        + model.config().generatorCost().optionName()
                        + " generator cost)";
        LossPlot.writePng(folder.resolve("losses.png"), title, "loss", series, 900, 500);
    }

    /**
     * Writes the diagnostics of Arjovsky and Bottou: accuracies, the Jensen-Shannon estimate and
     * the instance noise on a linear axis, the generator's gradient norm on a logarithmic one.
     */
    private void writeDiagnostics(List<TrainingMetrics> metrics) throws IOException {
        Map<String, double[][]> levels = new LinkedHashMap<>();
        levels.put("accuracy on real", seriesOf(metrics, TrainingMetrics::getRealAccuracy));
        levels.put("accuracy on generated", seriesOf(metrics, TrainingMetrics::getFakeAccuracy));
        levels.put("JSD estimate (nats)", seriesOf(metrics, TrainingMetrics::getJsdEstimate));
        levels.put(
                "instance noise sigma", seriesOf(metrics, TrainingMetrics::getInstanceNoiseSigma));
        LossPlot.writePng(
                folder.resolve("diagnostics.png"),
                "discriminator accuracy, JSD estimate, instance noise",
                "value",
                levels,
                900,
                500);

        Map<String, double[][]> norms = new LinkedHashMap<>();
        norms.put(
                "generator gradient norm",
                seriesOf(metrics, TrainingMetrics::getGeneratorGradNorm));
        // The window follows the generator side of the update: for ALI the norm of the generator's
        // and the encoder's gradients together, which is above the generator's own.
        norms.put(
                "window mean, generator side",
                seriesOf(metrics, TrainingMetrics::getGeneratorGradNormMean));
        norms.put(
                "window standard deviation, generator side",
                seriesOf(metrics, m -> Math.sqrt(m.getGeneratorGradNormVariance())));
        norms.put(
                "discriminator gradient norm",
                seriesOf(metrics, TrainingMetrics::getDiscriminatorGradNorm));
        LossPlot.writePngLogScale(
                folder.resolve("gradients.png"), "gradient norms", "L2 norm", norms, 900, 500);
    }

    private static double[][] seriesOf(
            List<TrainingMetrics> metrics,
            java.util.function.ToDoubleFunction<TrainingMetrics> value) {
        double[][] series = new double[2][metrics.size()];
        for (int i = 0; i < metrics.size(); i++) {
            series[0][i] = metrics.get(i).getStep();
            series[1][i] = value.applyAsDouble(metrics.get(i));
        }
        return series;
    }

    private void writeMetricsCsv(List<TrainingMetrics> metrics) throws IOException {
        writeMetricsCsv(folder, metrics);
    }

    /**
     * The Hessian-free columns of metrics.csv, per player, discriminator first; empty for Adam
     * records.
     */
    static final String SECOND_ORDER_COLUMNS =
            "optimizer,"
                    + String.join(
                            ",",
                            Stream.of("discriminator", "generator")
                                    .flatMap(
                                            player ->
                                                    Stream.of(
                                                                    "damping",
                                                                    "inner_iterations",
                                                                    "curvature_products",
                                                                    "predicted_reduction",
                                                                    "actual_reduction",
                                                                    "rho",
                                                                    "step_length",
                                                                    "most_negative_curvature")
                                                            .map(f -> player + "_hf_" + f))
                                    .toList());

    /**
     * Returns the Hessian-free fields of a record in the order of {@link #SECOND_ORDER_COLUMNS}
     * after the optimizer, or an empty list when the record has none.
     */
    static List<Number> secondOrderFields(TrainingMetrics m) {
        if (m.getDiscriminatorDamping() == null) {
            return List.of();
        }
        return List.of(
                m.getDiscriminatorDamping(),
                m.getDiscriminatorInnerIterations(),
                m.getDiscriminatorCurvatureProducts(),
                m.getDiscriminatorPredictedReduction(),
                m.getDiscriminatorActualReduction(),
                m.getDiscriminatorReductionRatio(),
                m.getDiscriminatorStepLength(),
                m.getDiscriminatorMostNegativeCurvature(),
                m.getGeneratorDamping(),
                m.getGeneratorInnerIterations(),
                m.getGeneratorCurvatureProducts(),
                m.getGeneratorPredictedReduction(),
                m.getGeneratorActualReduction(),
                m.getGeneratorReductionRatio(),
                m.getGeneratorStepLength(),
                m.getGeneratorMostNegativeCurvature());
    }

    private static String secondOrderCsv(TrainingMetrics m) {
        List<Number> fields = secondOrderFields(m);
        StringBuilder row = new StringBuilder(m.getOptimizer() == null ? "" : m.getOptimizer());
        for (int i = 0; i < 16; i++) {
            row.append(',');
            if (!fields.isEmpty()) {
                Number value = fields.get(i);
                row.append(
                        value instanceof Double d
                                ? String.format(Locale.ROOT, "%.6g", d)
                                : value.toString());
            }
        }
        return row.toString();
    }

    /** Writes every metrics record into {@code metrics.csv} in {@code folder}. */
    static void writeMetricsCsv(Path folder, List<TrainingMetrics> metrics) throws IOException {
        try (PrintWriter csv =
                new PrintWriter(Files.newBufferedWriter(folder.resolve("metrics.csv")))) {
            csv.println(
                    "step,applied,discriminator_loss,generator_loss,mean_real_score,"
                            + "mean_fake_score,discriminator_accuracy,real_accuracy,"
                            + "fake_accuracy,discriminator_grad_norm,generator_grad_norm,"
                            + "encoder_grad_norm,generator_grad_norm_mean,"
                            + "generator_grad_norm_variance,jsd_estimate,instance_noise_sigma,"
                            + "reconstruction_error,samples_per_second,data_offset,"
                            + "latent_offset,dead_letters,skipped_steps,"
                            + SECOND_ORDER_COLUMNS
                            + ",warning");
            for (TrainingMetrics m : metrics) {
                csv.println(
                        String.format(
                                Locale.ROOT,
                                "%d,%b,%.6f,%.6f,%.6f,%.6f,%.4f,%.4f,%.4f,%.6g,%.6g,%.6g,"
                                        + "%.6g,%.6g,%.6f,%.6g,%.6f,%.1f,%d,%d,%d,%d,%s,%s",
                                m.getStep(),
                                m.getApplied(),
                                m.getDiscriminatorLoss(),
                                m.getGeneratorLoss(),
                                m.getMeanRealScore(),
                                m.getMeanFakeScore(),
                                m.getDiscriminatorAccuracy(),
                                m.getRealAccuracy(),
                                m.getFakeAccuracy(),
                                m.getDiscriminatorGradNorm(),
                                m.getGeneratorGradNorm(),
                                m.getEncoderGradNorm(),
                                m.getGeneratorGradNormMean(),
                                m.getGeneratorGradNormVariance(),
                                m.getJsdEstimate(),
                                m.getInstanceNoiseSigma(),
                                m.getReconstructionError(),
                                m.getSamplesPerSecond(),
                                m.getDataOffset(),
                                m.getLatentOffset(),
                                m.getDeadLetters(),
                                m.getSkippedSteps(),
                                secondOrderCsv(m),
                                m.getWarning() == null ? "" : quoted(m.getWarning())));
            }
        }
    }

    private void writeManifest(
            ModelSnapshot snapshot,
            List<TrainingMetrics> metrics,
            StreamFeed feed,
            TrainingOptions options,
            String bootstrapServers,
            double seconds,
            Summary summary)
            throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("runId", snapshot.getRunId());
        manifest.put("model", snapshot.getModel());
        manifest.put("seed", snapshot.getSeed());
        manifest.put("steps", snapshot.getStep());
        manifest.put("configuration", new java.util.TreeMap<>(snapshot.getConfiguration()));
        manifest.put("parameterHash", snapshot.getParameterHash());
        manifest.put("dataset", trainingImages.source().toString());
        manifest.put("bootstrapServers", bootstrapServers);
        manifest.put("topics", feed.describe(options.topics()));
        manifest.put("topicNames", RunManifest.describe(options.topics()));
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("batchSize", options.batchSize);
        trainer.put("metricsInterval", options.metricsInterval);
        trainer.put("snapshotInterval", options.snapshotInterval);
        trainer.put("imageInterval", options.imageInterval);
        trainer.put("firstSequence", 0);
        manifest.put("trainer", trainer);
        manifest.put("metricsRecords", metrics.size());
        manifest.put("metricsHash", MetricsHash.of(metrics));
        Map<String, Object> evaluation = new LinkedHashMap<>();
        evaluation.put("images", summary.evaluationSet());
        evaluation.put("reconstructionMeanSquaredError", summary.reconstructionError());
        evaluation.put("meanImageMeanSquaredError", summary.meanImageError());
        manifest.put("evaluation", evaluation);
        manifest.put("wallSeconds", Math.round(seconds * 10) / 10.0);
        manifest.put("versions", new java.util.TreeMap<>(LatentFlowCommand.builtVersions()));
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(folder.resolve(MANIFEST).toFile(), manifest);
    }

    /** A CSV field in double quotes, inner quotes doubled. */
    private static String quoted(CharSequence text) {
        return '"' + text.toString().replace("\"", "\"\"") + '"';
    }
}
