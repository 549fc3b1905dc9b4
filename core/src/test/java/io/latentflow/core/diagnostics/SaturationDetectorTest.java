package io.latentflow.core.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SaturationDetectorTest {
    @Test
    void slidingWindowKeepsTheLatestValuesMeanAndPopulationVariance() {
        SlidingWindow window = new SlidingWindow(3);
        assertTrue(Double.isNaN(window.mean()));
        window.add(100);
        window.add(1);
        window.add(2);
        window.add(3);
        assertEquals(3, window.count());
        assertEquals(2.0, window.mean());
        assertEquals(2.0 / 3, window.variance(), 1e-15);
    }

    @Test
    void warnsOnceWhenAccuracyNearsOneAndTheGradientNormFallsTwoOrdersOfMagnitude() {
        SaturationDetector detector = new SaturationDetector(10, 0.99, 100);
        int warnings = 0;
        int firstWarning = -1;
        for (int step = 0; step < 400; step++) {
            // Accuracy climbs to 1 by step 100; the norm falls by 10x every 50 steps from 1.
            double accuracy = Math.min(1, 0.5 + step / 200.0);
            double norm = Math.pow(10, -step / 50.0);
            Optional<String> warning = detector.observe(accuracy, norm);
            if (warning.isPresent()) {
                warnings++;
                firstWarning = firstWarning < 0 ? step : firstWarning;
                assertTrue(warning.get().startsWith("discriminator saturated"), warning.get());
            }
        }
        assertEquals(1, warnings);
        // Accuracy's window mean passes 0.99 near step 103; the norm has long fallen 100x.
        assertTrue(firstWarning >= 100 && firstWarning <= 110, "warned at " + firstWarning);
        assertTrue(detector.saturated());
    }

    @Test
    void aPerfectDiscriminatorWithSteadyGradientsIsNotSaturation() {
        SaturationDetector detector = SaturationDetector.withDefaults();
        for (int step = 0; step < 500; step++) {
            assertFalse(detector.observe(1.0, 2 + Math.sin(step)).isPresent());
        }
        assertEquals(50, detector.windowCount());
    }
}
