package io.latentflow.job.produce;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.data.IdxReader;
import java.io.IOException;
import java.nio.file.Path;

/** Images read from IDX files, with their labels where the labels file is beside them. */
public final class IdxImageSource implements ImageSource {
    private final IdxImages images;
    private final int[] labels;

    private IdxImageSource(IdxImages images, int[] labels) {
        this.images = images;
        this.labels = labels;
    }

    /** The training images under {@code datasetPath}, a folder or the images file itself. */
    public static IdxImageSource trainingSet(Path datasetPath) throws IOException {
        IdxImages images = IdxReader.readImages(FashionMnist.trainingImages(datasetPath));
        int[] labels = null;
        try {
            labels = IdxReader.readLabels(FashionMnist.trainingLabels(datasetPath));
        } catch (IOException e) {
            // Labels are provenance only; an images file alone trains just as well.
        }
        if (labels != null && labels.length != images.count()) {
            labels = null;
        }
        return new IdxImageSource(images, labels);
    }

    public IdxImages images() {
        return images;
    }

    @Override
    public int count() {
        return images.count();
    }

    @Override
    public int height() {
        return images.height();
    }

    @Override
    public int width() {
        return images.width();
    }

    @Override
    public float[] image(int index) {
        return images.image(index);
    }

    @Override
    public int label(int index) {
        return labels == null ? -1 : labels[index];
    }
}
