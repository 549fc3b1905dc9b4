package io.latentflow.job.cli;

import io.latentflow.core.image.ImageGrid;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.job.operators.SampleGrids;
import io.latentflow.schema.ModelSnapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Draws samples G(z) from a run's model as the snapshot topic (or a snapshot on disk) holds it: by
 * default for the run's fixed codes, so that the grid is the one the trainer published for the same
 * step.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        versionProvider = LatentFlowCommand.Versions.class,
        description = {
            "Load a run's latest (or a given step's) model snapshot from the snapshot topic, or"
                    + " from disk with --snapshot, and write a PNG grid of 100 samples G(z)."
        })
final class GenerateCommand implements Callable<Integer> {

    @Mixin SnapshotSelection selection;

    @Option(
            names = "--seed",
            description =
                    "Seed of the codes z (default: the run's seed, the codes of its own sample"
                            + " grids).")
    Long seed;

    @Option(
            names = "--output",
            defaultValue = "samples.png",
            description = "The PNG file to write (default: ${DEFAULT-VALUE}).")
    Path output;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelSnapshot snapshot = selection.read();
        AdversarialModel model = SnapshotSelection.modelOf(snapshot);
        int side = SampleGrids.squareSide(model.config().dataDim());
        if (side < 0) {
            throw new IllegalArgumentException(
                    model.config().dataDim() + " pixels are not a square image; no grid to draw");
        }
        long codes = seed != null ? seed : snapshot.getSeed();
        ImageGrid.writePng(SampleGrids.samples(model, codes, side, side), output);

        PrintWriter out = spec.commandLine().getOut();
        out.println(SnapshotSelection.describe(snapshot));
        out.printf(
                "Wrote %d samples G(z), codes of seed %d, to %s%n",
                SampleGrids.SAMPLE_COUNT, codes, output.toAbsolutePath());
        out.flush();
        return 0;
    }
}
