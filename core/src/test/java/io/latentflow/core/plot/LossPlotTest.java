package io.latentflow.core.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossPlotTest {

    @TempDir Path directory;

    private static Map<String, double[][]> losses() {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("discriminator", new double[][] {{0, 100, 200, 300}, {1.4, 1.1, 0.9, 0.8}});
        series.put("generator", new double[][] {{0, 100, 200, 300}, {0.7, 1.5, 2.0, 2.4}});
        return series;
    }

    @Test
    void pngHasTheRequestedSize() throws IOException {
        Path file = directory.resolve("plots/loss.png");

        LossPlot.writePng(file, "ALI losses", "loss", losses(), 640, 400);

        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(640, read.getWidth());
        assertEquals(400, read.getHeight());
    }

    @Test
    void logScalePngHasTheRequestedSize() throws IOException {
        Path file = directory.resolve("gradient-norm.png");
        Map<String, double[][]> series =
                Map.of("norm", new double[][] {{1, 2, 3, 4}, {1e-4, 1e-2, 0, 10}});

        LossPlot.writePngLogScale(file, "Gradient norm", "norm", series, 300, 200);

        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(300, read.getWidth());
        assertEquals(200, read.getHeight());
    }

    @Test
    void aLogScaleAxisCoversValuesFarBelowOne() {
        double[][] deviations = {{1, 2, 3}, {8.9e-16, 1.4e-15, 1.1e-15}};

        JFreeChart chart =
                LossPlot.chart(
                        "unitarity",
                        "step",
                        "max |W^H W - I|",
                        LossPlot.dataset(Map.of("uRNN", deviations), true),
                        true);

        org.jfree.data.Range range = chart.getXYPlot().getRangeAxis().getRange();
        assertTrue(range.getLowerBound() > 0, range.toString());
        assertTrue(range.contains(8.9e-16) && range.contains(1.4e-15), range.toString());
    }

    @Test
    void nonFinitePointsAreLeftOut() {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put(
                "loss",
                new double[][] {
                    {0, 1, 2, Double.NaN, 4, 5},
                    {0.5, Double.NaN, Double.POSITIVE_INFINITY, 1, -2, 3}
                });

        XYSeriesCollection dataset = LossPlot.dataset(series, false);

        assertEquals(1, dataset.getSeriesCount());
        assertEquals(3, dataset.getItemCount(0));
        assertEquals(-2.0, dataset.getYValue(0, 1));
    }

    @Test
    void logScaleAlsoLeavesOutValuesThatAreNotPositive() {
        Map<String, double[][]> series =
                Map.of("loss", new double[][] {{0, 1, 2, 3}, {0.5, 0, -1, Double.NaN}});

        XYSeriesCollection dataset = LossPlot.dataset(series, true);

        assertEquals(1, dataset.getItemCount(0));
    }

    @Test
    void seriesKeepTheMapsOrder() {
        XYSeriesCollection dataset = LossPlot.dataset(losses(), false);

        assertEquals("discriminator", dataset.getSeriesKey(0));
        assertEquals("generator", dataset.getSeriesKey(1));
        assertEquals(2.4, dataset.getYValue(1, 3));
    }

    @Test
    void seriesOfUnequalLengthsIsRefused() {
        Map<String, double[][]> series = Map.of("loss", new double[][] {{0, 1, 2}, {0.5, 0.4}});

        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                LossPlot.writePng(
                                        directory.resolve("x.png"), "t", "y", series, 10, 10));

        assertEquals("series 'loss' must be {steps, values} of equal length", e.getMessage());
    }

    @Test
    void aSeriesOfOnePointIsDrawnAsAShapeAndALongOneAsALineOnly() {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("batch accuracy", new double[][] {{1, 10, 20}, {0.1, 0.5, 0.7}});
        series.put("test accuracy on all 10,000", new double[][] {{20}, {0.68}});

        XYLineAndShapeRenderer renderer =
                (XYLineAndShapeRenderer)
                        LossPlot.chart(
                                        "t",
                                        "step",
                                        "accuracy",
                                        LossPlot.dataset(series, false),
                                        false)
                                .getXYPlot()
                                .getRenderer();

        assertFalse(renderer.getItemShapeVisible(0, 0));
        assertTrue(renderer.getItemShapeVisible(1, 0));
    }
}
