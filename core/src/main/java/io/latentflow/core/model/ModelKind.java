package io.latentflow.core.model;

/** The adversarial models LatentFlow trains, each with the name recorded with its runs. */
public enum ModelKind {
    /**
     * Adversarially learned inference (<a href="https://arxiv.org/abs/1606.00704">Dumoulin et
     * al.</a>): generator, encoder and a discriminator on joint pairs (x, z).
     */
    ALI("ali-mlp"),

    /**
     * The generative adversarial network of <a href="https://arxiv.org/abs/1406.2661">Goodfellow et
     * al.</a>: a generator and a discriminator on data alone.
     */
    GAN("gan-mlp");

    private final String configName;

    ModelKind(String configName) {
        this.configName = configName;
    }

    /** Returns the name recorded in configurations, metrics and snapshots, such as "ali-mlp". */
    public String configName() {
        return configName;
    }

    /** Returns the kind whose {@link #configName()} or command-line name (ali, gan) is given. */
    public static ModelKind parse(String name) {
        for (ModelKind kind : values()) {
            if (kind.configName.equals(name) || kind.name().equalsIgnoreCase(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "unknown model " + name + "; expected ali, gan, ali-mlp or gan-mlp");
    }
}
