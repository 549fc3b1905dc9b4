package io.latentflow.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Instance noise: Gaussian noise of standard deviation sigma added to every input of the
 * discriminator, real and generated alike. Arjovsky and Bottou (<a
 * href="https://arxiv.org/abs/1701.04862">arXiv:1701.04862</a>, section 4) show that it makes the
 * noisy real and generated distributions overlap, so that the discriminator cannot become perfect
 * and the generator's gradients stay informative; annealing sigma to 0 recovers the original game.
 *
 * <p>The draws are a function of one seed per example, so a run that derives those seeds from its
 * event log replays its noise exactly. With sigma 0 nothing is drawn and nothing is added.
 *
 * @param sigma the initial standard deviation, at least 0
 * @param schedule how sigma changes over the steps
 * @param annealSteps the step at which an annealing schedule reaches 0; ignored by {@link
 *     NoiseSchedule#CONSTANT}
 * @param onCode whether ALI's latent part of the discriminator's input is noised too, not only the
 *     data part
 */
public record InstanceNoise(
        double sigma, NoiseSchedule schedule, long annealSteps, boolean onCode) {

    /** No noise at all. */
    public static final InstanceNoise NONE = new InstanceNoise(0, NoiseSchedule.CONSTANT, 0, false);

    /** Checks the level and the annealing length. */
    public InstanceNoise {
        Objects.requireNonNull(schedule, "schedule");
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("instance noise sigma must be >= 0: " + sigma);
        }
        if (schedule != NoiseSchedule.CONSTANT && annealSteps < 1) {
            throw new IllegalArgumentException(
                    schedule.optionName()
                            + " annealing needs a positive number of steps, was "
                            + annealSteps);
        }
    }

    /** Returns the standard deviation in force for the update that follows {@code step} updates. */
    public double sigmaAt(long step) {
        return sigma == 0 ? 0 : sigma * schedule.fraction(step, annealSteps);
    }

    /**
     * Draws the noise of one batch for a discriminator whose input is a data part followed by a
     * code part, or returns null when the level at this step is 0.
     *
     * <p>Example i's seed starts a SplittableRandom whose nextGaussian() calls fill, in order, the
     * data part of row i (the real pair), its code part when {@link #onCode}, then the data part of
     * row B + i (the generated pair) and its code part when {@link #onCode}; every value is then
     * multiplied by the level. Code parts that are not noised stay 0.
     *
     * @param exampleSeeds one seed per example of the batch
     * @param step updates made before this batch's
     * @param dataColumns width of the data part
     * @param codeColumns width of the code part, 0 for a discriminator on data alone
     * @return [2B, dataColumns + codeColumns] in the given data type, or null
     */
    public INDArray sample(
            long[] exampleSeeds, long step, int dataColumns, int codeColumns, DataType dataType) {
        double level = sigmaAt(step);
        if (level == 0) {
            return null;
        }
        int batch = exampleSeeds.length;
        int width = dataColumns + codeColumns;
        int noisedWidth = onCode ? width : dataColumns;
        float[] values = new float[2 * batch * width];
        for (int i = 0; i < batch; i++) {
            SplittableRandom random = new SplittableRandom(exampleSeeds[i]);
            for (int row : new int[] {i, batch + i}) {
                int start = row * width;
                for (int c = 0; c < noisedWidth; c++) {
                    values[start + c] = (float) (level * random.nextGaussian());
                }
            }
        }
        return Nd4j.create(values, new long[] {2L * batch, width}, DataType.FLOAT).castTo(dataType);
    }

    /** Returns the fields as strings, for configurations recorded with runs. */
    public Map<String, String> describe() {
        Map<String, String> description = new LinkedHashMap<>();
        description.put("instanceNoise", Double.toString(sigma));
        description.put("instanceNoiseSchedule", schedule.optionName());
        description.put("instanceNoiseAnnealSteps", Long.toString(annealSteps));
        description.put("instanceNoiseOnCode", Boolean.toString(onCode));
        return Collections.unmodifiableMap(description);
    }

    /** Reads {@link #describe()}'s output back; a description without it means {@link #NONE}. */
    public static InstanceNoise fromDescription(Map<String, String> description) {
        if (!description.containsKey("instanceNoise")) {
            return NONE;
        }
        return new InstanceNoise(
                Double.parseDouble(description.get("instanceNoise")),
                NoiseSchedule.parse(description.getOrDefault("instanceNoiseSchedule", "constant")),
                Long.parseLong(description.getOrDefault("instanceNoiseAnnealSteps", "0")),
                Boolean.parseBoolean(description.getOrDefault("instanceNoiseOnCode", "false")));
    }
}
