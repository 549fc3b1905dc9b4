package io.latentflow.core.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModReluTest {

    @Test
    void zeroInputGivesZeroOutputAndFiniteGradients() {
        double[] z = {0, 0};
        double[] bias = {0.5};
        double[] h = new double[2];
        ModRelu.forward(z, 0, bias, 0, h, 1);
        assertArrayEquals(new double[] {0, 0}, h);

        double[] gradient = {1, -2};
        double[] biasGradient = new double[1];
        ModRelu.backward(z, 0, bias, 0, gradient, biasGradient, 1);
        assertTrue(Double.isFinite(gradient[0]) && Double.isFinite(gradient[1]));
        // At z = 0: dh/dz = (b + eps) / eps, and dL/db = Re(conj(g) z) / rho = 0.
        assertEquals((0.5 + ModRelu.EPSILON) / ModRelu.EPSILON, gradient[0], 1e-3);
        assertEquals(0, biasGradient[0]);
    }

    @Test
    void awayFromZeroItIsTheExactModRelu() {
        // modReLU(3 + 4i) with b = -1: (5 - 1) (3 + 4i) / 5 = 2.4 + 3.2i
        double[] z = {3, 4};
        double[] h = new double[2];
        ModRelu.forward(z, 0, new double[] {-1}, 0, h, 1);
        assertArrayEquals(new double[] {2.4, 3.2}, h, 1e-10);
    }

    @Test
    void unitsWhoseModulusPlusBiasIsNegativeAreOffWithZeroGradient() {
        double[] z = {0.3, 0.4};
        double[] h = new double[2];
        ModRelu.forward(z, 0, new double[] {-0.6}, 0, h, 1);
        assertArrayEquals(new double[] {0, 0}, h);
        double[] gradient = {1, 1};
        double[] biasGradient = new double[1];
        ModRelu.backward(z, 0, new double[] {-0.6}, 0, gradient, biasGradient, 1);
        assertArrayEquals(new double[] {0, 0}, gradient);
        assertEquals(0, biasGradient[0]);
    }

    @Test
    void gradientsMatchFiniteDifferencesAtZeroAndElsewhere() {
        // Near 0 the function varies on the scale of epsilon, so the stencil's step shrinks to
        // 1e-8 there; its truncation error is then about (1e-8 / 1e-5)^4 relative.
        double[][] points = {{0, 0}, {1e-6, -2e-6}, {0.05, -0.02}, {-0.7, 0.4}};
        for (double[] point : points) {
            double step = Math.hypot(point[0], point[1]) < 1e-3 ? 1e-8 : GradientCheck.STEP;
            double[] gradientAt = {0.3, -0.8};
            double[] parameters = {point[0], point[1], 0.2};
            double[] z = {point[0], point[1]};
            double[] g = gradientAt.clone();
            double[] biasGradient = new double[1];
            ModRelu.backward(z, 0, new double[] {0.2}, 0, g, biasGradient, 1);
            double[] analytic = {g[0], g[1], biasGradient[0]};
            GradientCheck.assertMatches(
                    "modReLU at " + point[0] + " + " + point[1] + "i",
                    parameters,
                    analytic,
                    0,
                    3,
                    step,
                    () -> {
                        double[] out = new double[2];
                        ModRelu.forward(
                                new double[] {parameters[0], parameters[1]},
                                0,
                                new double[] {parameters[2]},
                                0,
                                out,
                                1);
                        return gradientAt[0] * out[0] + gradientAt[1] * out[1];
                    });
        }
    }
}
