package io.latentflow.job.operators;

import io.latentflow.core.image.ImageGrid;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.core.model.Ali;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Draws the two pictures of a model that people look at during and after training, the same way for
 * the images topic and for a run folder: a grid of samples G(z) for fixed codes z drawn from the
 * run seed, and a grid of inputs x each followed by its reconstruction G(E(x)) (ALI only).
 *
 * <p>Both layouts are fixed here, so a grid published at step 500 and the {@code samples.png} of
 * the finished run show the same codes in the same places.
 */
public final class SampleGrids {
    /** Samples in a samples grid. */
    public static final int SAMPLE_COUNT = 100;

    /** Tiles per row of a samples grid. */
    public static final int SAMPLE_COLUMNS = 10;

    /** Inputs in a reconstructions grid; each is followed by its reconstruction. */
    public static final int RECONSTRUCTION_PAIRS = 50;

    /** Input-reconstruction pairs per row of a reconstructions grid. */
    public static final int PAIR_COLUMNS = 10;

    /** Gray pixels between and around tiles. */
    public static final int PADDING = 2;

    /** Grid pixels per image pixel along each axis. */
    public static final int SCALE = 2;

    /** Mixed into the run seed for the fixed codes, so they are not the latent topic's draws. */
    private static final long CODE_STREAM = 0x5DEECE66DL;

    private SampleGrids() {}

    /** Returns the seed of a run's fixed sample codes. */
    public static long codeSeed(long runSeed) {
        return runSeed ^ CODE_STREAM;
    }

    /**
     * Returns the run's fixed codes: {@link #SAMPLE_COUNT} rows of standard normal draws from
     * {@link #codeSeed(long)}, in row order.
     */
    public static INDArray fixedCodes(long runSeed, int latentDim) {
        SplittableRandom random = new SplittableRandom(codeSeed(runSeed));
        float[] prior = new float[SAMPLE_COUNT * latentDim];
        for (int i = 0; i < prior.length; i++) {
            prior[i] = (float) random.nextGaussian();
        }
        return Nd4j.create(prior, new long[] {SAMPLE_COUNT, latentDim}, DataType.FLOAT);
    }

    /** Draws G(z) for the run's fixed codes, {@link #SAMPLE_COLUMNS} tiles per row. */
    public static BufferedImage samples(
            AdversarialModel model, long runSeed, int height, int width) {
        INDArray z = fixedCodes(runSeed, model.config().latentDim());
        return ImageGrid.compose(
                rows(model.generate(z)), height, width, SAMPLE_COLUMNS, PADDING, SCALE);
    }

    /**
     * Draws each row of {@code x} followed by its reconstruction, {@link #PAIR_COLUMNS} pairs per
     * row.
     */
    public static BufferedImage reconstructions(Ali model, INDArray x, int height, int width) {
        return ImageGrid.composePairs(
                rows(x), rows(model.reconstruct(x)), height, width, PAIR_COLUMNS, PADDING, SCALE);
    }

    /** Returns the side of a square image of {@code pixels} pixels, or -1 if there is none. */
    public static int squareSide(int pixels) {
        int side = (int) Math.round(Math.sqrt(pixels));
        return side * side == pixels ? side : -1;
    }

    /** Returns the rows of a grid of {@code images} tiles, {@code columns} to a row. */
    public static int gridRows(int images, int columns) {
        return (images + columns - 1) / columns;
    }

    /** Returns the pixels a grid of {@code tiles} tiles of the given length spans along an axis. */
    public static int gridPixels(int tiles, int tileLength) {
        return tiles * (tileLength * SCALE + PADDING) + PADDING;
    }

    static List<float[]> rows(INDArray matrix) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < matrix.rows(); i++) {
            rows.add(matrix.getRow(i).toFloatVector());
        }
        return rows;
    }
}
