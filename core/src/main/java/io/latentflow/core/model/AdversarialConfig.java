package io.latentflow.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The kind, shape and optimizer settings of an {@link AdversarialModel} built from multilayer
 * perceptrons: {@link Ali} (generator, encoder, discriminator) or {@link Gan} (generator,
 * discriminator).
 *
 * @param model which model the networks make up
 * @param dataDim number of features in a data vector x, 784 for a 28 x 28 image
 * @param latentDim number of features in a latent code z
 * @param hiddenUnits width of every hidden layer of every network
 * @param hiddenLayers number of hidden layers in each network
 * @param leakySlope slope of LeakyReLU for negative inputs, in [0, 1)
 * @param learningRate Adam step size for all networks
 * @param beta1 Adam first-moment decay
 * @param beta2 Adam second-moment decay
 * @param generatorCost the cost the generator (and encoder) minimizes
 */
public record AdversarialConfig(
        ModelKind model,
        int dataDim,
        int latentDim,
        int hiddenUnits,
        int hiddenLayers,
        double leakySlope,
        double learningRate,
        double beta1,
        double beta2,
        GeneratorCost generatorCost) {

    /** Checks every field, naming the one that is out of range. */
    public AdversarialConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(generatorCost, "generatorCost");
        requirePositive("dataDim", dataDim);
        requirePositive("latentDim", latentDim);
        requirePositive("hiddenUnits", hiddenUnits);
        if (hiddenLayers < 0) {
            throw new IllegalArgumentException(
                    "hiddenLayers must not be negative: " + hiddenLayers);
        }
        if (!(leakySlope >= 0 && leakySlope < 1)) {
            throw new IllegalArgumentException("leakySlope must be in [0, 1): " + leakySlope);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be positive: " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1): " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1): " + beta2);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /**
     * Returns the ALI paper's style of MLP model on 28 x 28 images: 64 latent features, two hidden
     * layers of 1024 units, LeakyReLU slope 0.2, Adam(2e-4, 0.5, 0.999) and the non-saturating
     * cost.
     */
    public static AdversarialConfig mlpDefaults() {
        return new AdversarialConfig(
                ModelKind.ALI,
                784,
                64,
                1024,
                2,
                0.2,
                2e-4,
                0.5,
                0.999,
                GeneratorCost.NON_SATURATING);
    }

    /** Returns a copy for another model kind. */
    public AdversarialConfig withModel(ModelKind model) {
        return new AdversarialConfig(
                model,
                dataDim,
                latentDim,
                hiddenUnits,
                hiddenLayers,
                leakySlope,
                learningRate,
                beta1,
                beta2,
                generatorCost);
    }

    /** Returns a copy with a different latent size. */
    public AdversarialConfig withLatentDim(int latentDim) {
        return new AdversarialConfig(
                model,
                dataDim,
                latentDim,
                hiddenUnits,
                hiddenLayers,
                leakySlope,
                learningRate,
                beta1,
                beta2,
                generatorCost);
    }

    /** Returns a copy with a different hidden-layer width. */
    public AdversarialConfig withHiddenUnits(int hiddenUnits) {
        return new AdversarialConfig(
                model,
                dataDim,
                latentDim,
                hiddenUnits,
                hiddenLayers,
                leakySlope,
                learningRate,
                beta1,
                beta2,
                generatorCost);
    }

    /** Returns a copy with a different Adam step size. */
    public AdversarialConfig withLearningRate(double learningRate) {
        return new AdversarialConfig(
                model,
                dataDim,
                latentDim,
                hiddenUnits,
                hiddenLayers,
                leakySlope,
                learningRate,
                beta1,
                beta2,
                generatorCost);
    }

    /** Returns a copy with a different generator cost. */
    public AdversarialConfig withGeneratorCost(GeneratorCost generatorCost) {
        return new AdversarialConfig(
                model,
                dataDim,
                latentDim,
                hiddenUnits,
                hiddenLayers,
                leakySlope,
                learningRate,
                beta1,
                beta2,
                generatorCost);
    }

    /**
     * Returns every field as a string, in declaration order, the model as its {@link
     * ModelKind#configName()} and the cost as its {@link GeneratorCost#optionName()}, for recording
     * with models and metrics. Doubles are written so that they parse back exactly.
     */
    public Map<String, String> describe() {
        Map<String, String> description = new LinkedHashMap<>();
        description.put("model", model.configName());
        description.put("dataDim", Integer.toString(dataDim));
        description.put("latentDim", Integer.toString(latentDim));
        description.put("hiddenUnits", Integer.toString(hiddenUnits));
        description.put("hiddenLayers", Integer.toString(hiddenLayers));
        description.put("leakySlope", Double.toString(leakySlope));
        description.put("learningRate", Double.toString(learningRate));
        description.put("beta1", Double.toString(beta1));
        description.put("beta2", Double.toString(beta2));
        description.put("generatorCost", generatorCost.optionName());
        return Collections.unmodifiableMap(description);
    }

    /**
     * Reads a configuration back from {@link #describe()}'s output. A description without a
     * generator cost, as written before the cost could be chosen, means the non-saturating one.
     *
     * @throws IllegalArgumentException if the model is unknown, a field is missing or a value does
     *     not parse
     */
    public static AdversarialConfig fromDescription(Map<String, String> description) {
        return new AdversarialConfig(
                ModelKind.parse(field(description, "model")),
                Integer.parseInt(field(description, "dataDim")),
                Integer.parseInt(field(description, "latentDim")),
                Integer.parseInt(field(description, "hiddenUnits")),
                Integer.parseInt(field(description, "hiddenLayers")),
                Double.parseDouble(field(description, "leakySlope")),
                Double.parseDouble(field(description, "learningRate")),
                Double.parseDouble(field(description, "beta1")),
                Double.parseDouble(field(description, "beta2")),
                GeneratorCost.parse(
                        description.getOrDefault(
                                "generatorCost", GeneratorCost.NON_SATURATING.optionName())));
    }

    private static String field(Map<String, String> description, String key) {
        String value = description.get(key);
        if (value == null) {
            throw new IllegalArgumentException("description lacks " + key + ": " + description);
        }
        return value;
    }
}
