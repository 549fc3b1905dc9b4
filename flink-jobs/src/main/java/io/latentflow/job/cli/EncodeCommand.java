package io.latentflow.job.cli;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import io.latentflow.core.image.ImageGrid;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.core.model.Ali;
import io.latentflow.job.operators.SampleGrids;
import io.latentflow.schema.ModelSnapshot;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Encodes images with an ALI run's encoder as the snapshot topic (or a snapshot on disk) holds it:
 * the mean code mu(x) of each image, one CSV row per image, and if asked a grid of each image
 * beside G(mu(x)).
 */
@Command(
        name = "encode",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Load an ALI run's latest (or a given step's) model snapshot from the snapshot topic,"
                    + " or from disk with --snapshot, and write the encoder's mean code of each"
                    + " image as CSV."
        })
final class EncodeCommand implements Callable<Integer> {

    @Mixin SnapshotSelection selection;

    @Option(
            names = "--images",
            defaultValue = "/usr/share/datasets/fashion-mnist",
            description =
                    "An IDX images file (gzipped or not), or a Fashion-MNIST folder, whose test"
                            + " images are used (default: ${DEFAULT-VALUE}).")
    Path images;

    @Option(
            names = "--count",
            defaultValue = "100",
            description = "Encode the first N images (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(
            names = "--output",
            defaultValue = "codes.csv",
            description = "The CSV file to write: index, z0, z1, ... (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(
            names = "--reconstructions",
            description = "Also write a PNG grid of each image beside G(mu(x)) (first 50).")
    Path reconstructions;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, was " + count);
        }
        ModelSnapshot snapshot = selection.read();
        AdversarialModel model = SnapshotSelection.modelOf(snapshot);
        if (!(model instanceof Ali ali)) {
            throw new IllegalArgumentException(
                    "run "
                            + snapshot.getRunId()
                            + " trained "
                            + snapshot.getModel()
                            + ", which"
                            + " has no encoder");
        }
        IdxImages source =
                IdxReader.readImages(
                        Files.isDirectory(images) ? FashionMnist.testImages(images) : images);
        if (source.pixelsPerImage() != model.config().dataDim()) {
            throw new IllegalArgumentException(
                    source.source()
                            + " holds images of "
                            + source.pixelsPerImage()
                            + " pixels; the model takes "
                            + model.config().dataDim());
        }
        int n = Math.min(count, source.count());
        INDArray x = firstImages(source, n);
        writeCodes(ali.encodeMean(x));
        if (reconstructions != null) {
            INDArray shown = firstImages(source, Math.min(n, SampleGrids.RECONSTRUCTION_PAIRS));
            ImageGrid.writePng(
                    SampleGrids.reconstructions(ali, shown, source.height(), source.width()),
                    reconstructions);
        }

        PrintWriter out = spec.commandLine().getOut();
        out.println(SnapshotSelection.describe(snapshot));
        out.printf(
                "Wrote the codes of %d images of %s to %s%n",
                n, source.source(), output.toAbsolutePath());
        if (reconstructions != null) {
            out.println("Wrote the reconstructions grid to " + reconstructions.toAbsolutePath());
        }
        out.flush();
        return 0;
    }

    static INDArray firstImages(IdxImages source, int n) {
        int pixels = source.pixelsPerImage();
        float[] values = new float[n * pixels];
        for (int i = 0; i < n; i++) {
            System.arraycopy(source.image(i), 0, values, i * pixels, pixels);
        }
        return Nd4j.create(values, new long[] {n, pixels}, DataType.FLOAT);
    }

    /** One row per image; floats as Java prints them, which read back to the same bits. */
    private void writeCodes(INDArray codes) throws java.io.IOException {
        StringBuilder csv = new StringBuilder("index");
        for (int j = 0; j < codes.columns(); j++) {
            csv.append(",z").append(j);
        }
        csv.append('\n');
        for (int i = 0; i < codes.rows(); i++) {
            csv.append(i);
            for (int j = 0; j < codes.columns(); j++) {
                csv.append(',').append(Float.toString(codes.getFloat(i, j)));
            }
            csv.append('\n');
        }
        Files.writeString(output, csv);
    }
}
