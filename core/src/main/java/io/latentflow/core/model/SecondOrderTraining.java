package io.latentflow.core.model;

import io.latentflow.core.optim.CurvatureMethod;
import io.latentflow.core.optim.HessianFreeConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How an {@link AdversarialModel} trains when each update of the discriminator and of the generator
 * (with ALI's encoder) is one Hessian-free step of {@link
 * io.latentflow.core.optim.SaddleFreeHessianFree} instead of an Adam step.
 *
 * @param optimizer the Hessian-free settings, the same for both players (each has its own damping)
 * @param curvatureRows the curvature products use the batch's first this many examples; 0 uses the
 *     whole batch
 */
public record SecondOrderTraining(HessianFreeConfig optimizer, int curvatureRows) {

    /** Checks the settings. */
    public SecondOrderTraining {
        Objects.requireNonNull(optimizer, "optimizer");
        if (curvatureRows < 0) {
            throw new IllegalArgumentException(
                    "curvatureRows must be 0 (all) or more, was " + curvatureRows);
        }
    }

    /**
     * Settings with the autoencoder trainer's choices besides the method, the first damping and the
     * inner iteration limit: conjugate gradients with Martens' tolerance 5e-4 warm-started from
     * 0.95 times the last step, saddle-free with residual tolerance 1e-4 and 10 Lanczos steps,
     * quadrature tolerance 1e-4, Armijo line search with c = 0.01, shrink 0.8, 20 trials.
     */
    public static SecondOrderTraining of(
            CurvatureMethod method, double damping, int maxInnerIterations, int curvatureRows) {
        boolean saddleFree = method == CurvatureMethod.SADDLE_FREE;
        return new SecondOrderTraining(
                new HessianFreeConfig(
                        method,
                        damping,
                        maxInnerIterations,
                        saddleFree ? 1e-4 : 5e-4,
                        1e-4,
                        saddleFree ? 10 : 0,
                        saddleFree ? 0 : 0.95,
                        1e-2,
                        0.8,
                        20),
                curvatureRows);
    }

    /** Returns the rows of a batch of the given size that the curvature products use. */
    public int curvatureRowsOf(int batchSize) {
        return curvatureRows == 0 ? batchSize : Math.min(curvatureRows, batchSize);
    }

    /**
     * Returns what {@link #of} takes, as strings for configurations recorded with runs. Only
     * settings made by {@link #of} are described faithfully.
     */
    public Map<String, String> describe() {
        Map<String, String> description = new LinkedHashMap<>();
        description.put("hessianFreeMethod", optimizer.method().name());
        description.put("damping", Double.toString(optimizer.initialDamping()));
        description.put("maxInnerIterations", Integer.toString(optimizer.maxInnerIterations()));
        description.put("curvatureRows", Integer.toString(curvatureRows));
        return Collections.unmodifiableMap(description);
    }

    /**
     * Reads {@link #describe()}'s output back; a description without it, as every Adam run's, means
     * none.
     */
    public static Optional<SecondOrderTraining> fromDescription(Map<String, String> description) {
        String method = description.get("hessianFreeMethod");
        if (method == null) {
            return Optional.empty();
        }
        return Optional.of(
                of(
                        CurvatureMethod.valueOf(method),
                        Double.parseDouble(description.getOrDefault("damping", "1")),
                        Integer.parseInt(description.getOrDefault("maxInnerIterations", "25")),
                        Integer.parseInt(description.getOrDefault("curvatureRows", "0"))));
    }
}
