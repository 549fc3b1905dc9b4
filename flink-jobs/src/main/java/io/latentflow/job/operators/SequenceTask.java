package io.latentflow.job.operators;

import io.latentflow.core.recurrent.MeanSquaredError;
import io.latentflow.core.recurrent.SequenceLoss;
import io.latentflow.core.recurrent.SoftmaxCrossEntropy;
import io.latentflow.core.recurrent.TimeStepMask;
import io.latentflow.core.tasks.AddingTask;
import io.latentflow.core.tasks.CopyingMemoryTask;
import io.latentflow.core.tasks.PixelByPixelTask;
import io.latentflow.schema.SequenceSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sequence tasks of Arjovsky, Shah and Bengio (<a
 * href="https://arxiv.org/abs/1511.06464">arXiv:1511.06464</a>) as they travel through Kafka: how
 * an example becomes a {@link SequenceSample}, what a valid record of the task looks like, and
 * which loss a mini-batch of them is trained with.
 */
public enum SequenceTask {
    /** {@link CopyingMemoryTask}: one-hot inputs over 10 classes, a class target at every step. */
    COPYING(CopyingMemoryTask.INPUT_CLASSES, CopyingMemoryTask.OUTPUT_CLASSES),

    /** {@link AddingTask}: value and marker per step, the sum as the last step's target. */
    ADDING(AddingTask.INPUT_CHANNELS, 1),

    /**
     * {@link PixelByPixelTask}: a Fashion-MNIST image one grey value per step in row-major order,
     * its class as the last step's target.
     */
    PIXEL(PixelByPixelTask.INPUT_SIZE, PixelByPixelTask.CLASSES),

    /** {@link PixelByPixelTask} with the pixels in one fixed order drawn from a seed. */
    PERMUTED_PIXEL(PixelByPixelTask.INPUT_SIZE, PixelByPixelTask.CLASSES);

    /** The pixels of a Fashion-MNIST image, the sequence length of the pixel tasks. */
    public static final int IMAGE_PIXELS = 28 * 28;

    private final int inputSize;
    private final int outputSize;

    SequenceTask(int inputSize, int outputSize) {
        this.inputSize = inputSize;
        this.outputSize = outputSize;
    }

    /** Returns the task named copying, adding, pixel or permuted-pixel, in any case. */
    public static SequenceTask parse(String name) {
        for (SequenceTask task : values()) {
            if (task.optionName().equalsIgnoreCase(name)) {
                return task;
            }
        }
        throw new IllegalArgumentException(
                "unknown task '" + name + "': copying, adding, pixel or permuted-pixel");
    }

    /**
     * Returns the name on the command line and in records: copying, adding, pixel or
     * permuted-pixel.
     */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Returns whether the task reads Fashion-MNIST images pixel by pixel. */
    public boolean isPixelTask() {
        return this == PIXEL || this == PERMUTED_PIXEL;
    }

    /** Returns whether the targets are classes, so that an accuracy is measured. */
    public boolean hasClasses() {
        return this != ADDING;
    }

    /** Returns the features per step. */
    public int inputSize() {
        return inputSize;
    }

    /**
     * Returns the model outputs per step: logits over 9 classes (copying) or 10 (pixel), or the one
     * predicted sum.
     */
    public int outputSize() {
        return outputSize;
    }

    /**
     * Returns the sequence length of the task at {@code length}: T + 20 for copying with delay T, T
     * for adding, the 784 pixels of an image for the pixel tasks whatever the length.
     */
    public int timeSteps(int length) {
        return switch (this) {
            case COPYING -> new CopyingMemoryTask(length, 0).sequenceLength();
            case ADDING -> length;
            case PIXEL, PERMUTED_PIXEL -> IMAGE_PIXELS;
        };
    }

    /**
     * Returns the memoryless baseline cost at sequences of {@code timeSteps} steps: 10 log 8 /
     * timeSteps for copying, 1/6 for adding, log 10 (guessing a class) for the pixel tasks.
     */
    public double baselineLoss(int timeSteps) {
        return switch (this) {
            case COPYING ->
                    CopyingMemoryTask.REMEMBERED * Math.log(CopyingMemoryTask.ALPHABET) / timeSteps;
            case ADDING -> AddingTask.BASELINE_MSE;
            case PIXEL, PERMUTED_PIXEL -> PixelByPixelTask.CHANCE_LOSS;
        };
    }

    /**
     * Returns the pixel order of a pixel task: row-major for pixel, {@link
     * PixelByPixelTask#permutation} of the seed for permuted-pixel.
     */
    public int[] pixelOrder(long permutationSeed) {
        if (!isPixelTask()) {
            throw new IllegalStateException(optionName() + " reads no images");
        }
        return this == PIXEL
                ? PixelByPixelTask.rowMajor(IMAGE_PIXELS)
                : PixelByPixelTask.permutation(permutationSeed, IMAGE_PIXELS);
    }

    /**
     * Returns a pixel task's example as a record: image {@code imageIndex} of the task's images in
     * its pixel order, and the image's class as the one target class.
     *
     * @param runId the run
     * @param images the images with the task's pixel order
     * @param imageIndex which image
     * @param taskSeed the seed of the run's image order, for provenance
     * @param sequence the record's sequence number
     */
    public SequenceSample pixelSample(
            String runId, PixelByPixelTask images, int imageIndex, long taskSeed, long sequence) {
        if (!isPixelTask()) {
            throw new IllegalStateException(optionName() + " reads no images");
        }
        float[] pixels = images.sequence(imageIndex);
        List<Float> inputs = new ArrayList<>(pixels.length);
        for (float pixel : pixels) {
            inputs.add(pixel);
        }
        return SequenceSample.newBuilder()
                .setRunId(runId)
                .setTask(optionName())
                .setTaskSeed(taskSeed)
                .setSequence(sequence)
                .setTimeSteps(pixels.length)
                .setInputSize(PixelByPixelTask.INPUT_SIZE)
                .setInputs(inputs)
                .setTargetClasses(List.of(images.label(imageIndex)))
                .setTargetValues(List.of())
                .build();
    }

    /**
     * Returns example {@code sequence} of the task's stream as a record.
     *
     * @param runId the run
     * @param length the delay T of copying or the length T of adding
     * @param taskSeed the seed of the example stream
     * @param sequence the example's number, also the record's sequence number
     */
    public SequenceSample sample(String runId, int length, long taskSeed, long sequence) {
        if (isPixelTask()) {
            throw new IllegalStateException(
                    optionName() + " samples come from images: use pixelSample");
        }
        List<Float> inputs = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        int timeSteps;
        if (this == COPYING) {
            CopyingMemoryTask.Example example =
                    new CopyingMemoryTask(length, taskSeed).example(sequence);
            timeSteps = example.inputs().length;
            for (int t = 0; t < timeSteps; t++) {
                for (int c = 0; c < inputSize; c++) {
                    inputs.add(example.inputs()[t] == c ? 1f : 0f);
                }
                classes.add(example.targets()[t]);
            }
        } else {
            AddingTask.Example example = new AddingTask(length, taskSeed).example(sequence);
            timeSteps = length;
            for (int t = 0; t < timeSteps; t++) {
                inputs.add((float) example.values()[t]);
                boolean marked = t == example.firstMarker() || t == example.secondMarker();
                inputs.add(marked ? 1f : 0f);
            }
            // The target is the sum of the values as sent, in float, so that the record alone
            // defines the example.
            values.add(
                    (double) (float) example.values()[example.firstMarker()]
                            + (float) example.values()[example.secondMarker()]);
        }
        return SequenceSample.newBuilder()
                .setRunId(runId)
                .setTask(optionName())
                .setTaskSeed(taskSeed)
                .setSequence(sequence)
                .setTimeSteps(timeSteps)
                .setInputSize(inputSize)
                .setInputs(inputs)
                .setTargetClasses(classes)
                .setTargetValues(values)
                .build();
    }

    /**
     * Returns what is wrong with a record's targets (and, for the pixel tasks, its inputs) for this
     * task, or null when they are valid: copying needs T classes in [0, 9) and no values, adding
     * one finite value and no classes, the pixel tasks one class in [0, 10), no values and grey
     * values in [0, 1].
     */
    String targetProblem(SequenceSample sample) {
        int timeSteps = sample.getTimeSteps();
        if (isPixelTask()) {
            if (sample.getTargetClasses().size() != 1 || !sample.getTargetValues().isEmpty()) {
                return "a pixel sequence needs one target class and no target values, had "
                        + sample.getTargetClasses().size()
                        + " and "
                        + sample.getTargetValues().size();
            }
            int label = sample.getTargetClasses().get(0);
            if (label < 0 || label >= outputSize) {
                return "target class " + label + " is not in [0, " + outputSize + ")";
            }
            List<Float> inputs = sample.getInputs();
            for (int t = 0; t < inputs.size(); t++) {
                float pixel = inputs.get(t);
                if (!(pixel >= 0 && pixel <= 1)) {
                    return "pixel " + t + " is " + pixel + ", not a grey value in [0, 1]";
                }
            }
            return null;
        }
        if (this == COPYING) {
            if (sample.getTargetClasses().size() != timeSteps
                    || !sample.getTargetValues().isEmpty()) {
                return "a copying sequence needs "
                        + timeSteps
                        + " target classes and no target values, had "
                        + sample.getTargetClasses().size()
                        + " and "
                        + sample.getTargetValues().size();
            }
            for (int t = 0; t < timeSteps; t++) {
                int target = sample.getTargetClasses().get(t);
                if (target < 0 || target >= outputSize) {
                    return "target class " + target + " at step " + t + " is not in [0, 9)";
                }
            }
            return null;
        }
        if (sample.getTargetValues().size() != 1 || !sample.getTargetClasses().isEmpty()) {
            return "an adding sequence needs one target value and no target classes, had "
                    + sample.getTargetValues().size()
                    + " and "
                    + sample.getTargetClasses().size();
        }
        if (!Double.isFinite(sample.getTargetValues().get(0))) {
            return "target value " + sample.getTargetValues().get(0) + " is not finite";
        }
        return null;
    }

    /**
     * Returns the loss of a mini-batch of sequences of equal length, in batch order: cross-entropy
     * at every step for copying, at the last step for the pixel tasks, squared error at the last
     * step for adding.
     */
    SequenceLoss loss(List<SequenceEvent> batch, int timeSteps) {
        int batchSize = batch.size();
        if (isPixelTask()) {
            int[] labels = new int[batchSize];
            for (int b = 0; b < batchSize; b++) {
                labels[b] = batch.get(b).targetClasses[0];
            }
            return lastStepCrossEntropy(labels, timeSteps);
        }
        if (this == COPYING) {
            int[] targets = new int[timeSteps * batchSize];
            for (int b = 0; b < batchSize; b++) {
                for (int t = 0; t < timeSteps; t++) {
                    targets[t * batchSize + b] = batch.get(b).targetClasses[t];
                }
            }
            return new SoftmaxCrossEntropy(targets, TimeStepMask.allSteps(timeSteps));
        }
        double[] targets = new double[timeSteps * batchSize];
        for (int b = 0; b < batchSize; b++) {
            targets[(timeSteps - 1) * batchSize + b] = batch.get(b).targetValue;
        }
        return new MeanSquaredError(targets, TimeStepMask.lastStep(timeSteps));
    }

    /** Cross-entropy of the last step's logits against one class per example. */
    static SequenceLoss lastStepCrossEntropy(int[] labels, int timeSteps) {
        int[] targets = new int[timeSteps * labels.length];
        System.arraycopy(labels, 0, targets, (timeSteps - 1) * labels.length, labels.length);
        return new SoftmaxCrossEntropy(targets, TimeStepMask.lastStep(timeSteps));
    }
}
