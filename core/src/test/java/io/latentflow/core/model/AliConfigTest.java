package io.latentflow.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AliConfigTest {
    @Test
    void mlpDefaultsAreThePaperStyleFashionMnistModel() {
        assertEquals(
                new AliConfig(784, 64, 1024, 2, 0.2, 2e-4, 0.5, 0.999), AliConfig.mlpDefaults());
    }

    @Test
    void describeNamesTheModelAndRoundTripsThroughFromDescription() {
        AliConfig config =
                AliConfig.mlpDefaults()
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
                        "beta2"),
                List.copyOf(description.keySet()));
        assertEquals("32", description.get("latentDim"));
        assertEquals(config, AliConfig.fromDescription(description));
    }

    @Test
    void withersChangeOnlyTheirOwnField() {
        AliConfig defaults = AliConfig.mlpDefaults();
        assertEquals(
                new AliConfig(784, 16, 1024, 2, 0.2, 2e-4, 0.5, 0.999), defaults.withLatentDim(16));
        assertEquals(
                new AliConfig(784, 64, 256, 2, 0.2, 2e-4, 0.5, 0.999),
                defaults.withHiddenUnits(256));
        assertEquals(
                new AliConfig(784, 64, 1024, 2, 0.2, 1e-3, 0.5, 0.999),
                defaults.withLearningRate(1e-3));
    }

    @Test
    void fromDescriptionRejectsAnotherModelOrAMissingField() {
        Map<String, String> other = new HashMap<>(AliConfig.mlpDefaults().describe());
        other.put("model", "gan-mlp");
        assertThrows(IllegalArgumentException.class, () -> AliConfig.fromDescription(other));

        Map<String, String> missing = new HashMap<>(AliConfig.mlpDefaults().describe());
        missing.remove("beta2");
        assertThrows(IllegalArgumentException.class, () -> AliConfig.fromDescription(missing));
    }

    @Test
    void outOfRangeFieldsAreRejected() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new AliConfig(784, 0, 1024, 2, 0.2, 2e-4, 0.5, 0.999));
        assertThrows(
                IllegalArgumentException.class,
                () -> new AliConfig(784, 64, 1024, 2, -0.1, 2e-4, 0.5, 0.999));
        assertThrows(
                IllegalArgumentException.class,
                () -> new AliConfig(784, 64, 1024, 2, 0.2, 2e-4, 1.0, 0.999));
        assertThrows(
                IllegalArgumentException.class,
                () -> AliConfig.mlpDefaults().withLearningRate(Double.NaN));
    }
}
