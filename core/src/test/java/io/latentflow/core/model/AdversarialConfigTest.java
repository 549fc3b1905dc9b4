package io.latentflow.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdversarialConfigTest {
    @Test
    void mlpDefaultsAreThePaperStyleFashionMnistModel() {
        assertEquals(
                config(784, 64, 1024, 2, 0.2, 2e-4, 0.5, 0.999), AdversarialConfig.mlpDefaults());
    }

    @Test
    void describeNamesTheModelAndRoundTripsThroughFromDescription() {
        AdversarialConfig config =
                AdversarialConfig.mlpDefaults()
                        .withLatentDim(32)
                        .withHiddenUnits(300)
                        .withLearningRate(1e-4 / 3);
        Map<String, String> description = config.describe();

        assertEquals("ali-mlp", description.get("model"));
        assertEquals(
                List.of(
                        "model",
                        "dataDim",
                        "latentDim",
                        "hiddenUnits",
                        "hiddenLayers",
                        "leakySlope",
                        "learningRate",
                        "beta1",
                        "beta2",
                        "generatorCost"),
                List.copyOf(description.keySet()));
        assertEquals("32", description.get("latentDim"));
        assertEquals(config, AdversarialConfig.fromDescription(description));
    }

    @Test
    void aGanWithTheMinimaxCostRoundTripsAndAnOldDescriptionMeansNonSaturating() {
        AdversarialConfig gan =
                AdversarialConfig.mlpDefaults()
                        .withModel(ModelKind.GAN)
                        .withGeneratorCost(GeneratorCost.MINIMAX);
        Map<String, String> description = gan.describe();
        assertEquals("gan-mlp", description.get("model"));
        assertEquals("minimax", description.get("generatorCost"));
        assertEquals(gan, AdversarialConfig.fromDescription(description));

        Map<String, String> old = new HashMap<>(AdversarialConfig.mlpDefaults().describe());
        old.remove("generatorCost");
        assertEquals(AdversarialConfig.mlpDefaults(), AdversarialConfig.fromDescription(old));
    }

    @Test
    void withersChangeOnlyTheirOwnField() {
        AdversarialConfig defaults = AdversarialConfig.mlpDefaults();
        assertEquals(config(784, 16, 1024, 2, 0.2, 2e-4, 0.5, 0.999), defaults.withLatentDim(16));
        assertEquals(config(784, 64, 256, 2, 0.2, 2e-4, 0.5, 0.999), defaults.withHiddenUnits(256));
        assertEquals(
                config(784, 64, 1024, 2, 0.2, 1e-3, 0.5, 0.999), defaults.withLearningRate(1e-3));
    }

    @Test
    void fromDescriptionRejectsAnUnknownModelOrAMissingField() {
        Map<String, String> other = new HashMap<>(AdversarialConfig.mlpDefaults().describe());
        other.put("model", "vae-mlp");
        assertThrows(
                IllegalArgumentException.class, () -> AdversarialConfig.fromDescription(other));

        Map<String, String> missing = new HashMap<>(AdversarialConfig.mlpDefaults().describe());
        missing.remove("beta2");
        assertThrows(
                IllegalArgumentException.class, () -> AdversarialConfig.fromDescription(missing));
    }

    @Test
    void outOfRangeFieldsAreRejected() {
        assertThrows(
                IllegalArgumentException.class,
                () -> config(784, 0, 1024, 2, 0.2, 2e-4, 0.5, 0.999));
        assertThrows(
                IllegalArgumentException.class,
                () -> config(784, 64, 1024, 2, -0.1, 2e-4, 0.5, 0.999));
        assertThrows(
                IllegalArgumentException.class,
                () -> config(784, 64, 1024, 2, 0.2, 2e-4, 1.0, 0.999));
        assertThrows(
                IllegalArgumentException.class,
                () -> AdversarialConfig.mlpDefaults().withLearningRate(Double.NaN));
    }

    private static AdversarialConfig config(
            int dataDim,
            int latentDim,
            int hiddenUnits,
            int hiddenLayers,
            double leakySlope,
            double learningRate,
            double beta1,
            double beta2) {
        return new AdversarialConfig(
                ModelKind.ALI,
                dataDim,
                latentDim,
                hiddenUnits,
                hiddenLayers,
                leakySlope,
                learningRate,
                beta1,
                beta2,
                GeneratorCost.NON_SATURATING);
    }
}
