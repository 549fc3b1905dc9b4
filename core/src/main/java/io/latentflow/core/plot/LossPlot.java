package io.latentflow.core.plot;

import io.latentflow.core.image.PngFile;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws training curves, such as the discriminator and generator losses against the training step,
 * as a line chart in a PNG file, with JFreeChart.
 *
 * <p>Each series is given as {@code {steps, values}}, two arrays of equal length. Points whose step
 * or value is NaN or infinite are left out rather than failing the plot, because a diverging run is
 * exactly when the plot is wanted; on a logarithmic axis, points whose value is zero or negative
 * are left out too. Rendering happens in memory, so no display is needed.
 */
public final class LossPlot {

    static {
        // Rendering to an image needs no display, but an AWT that believes it has one may try to
        // connect to it; a program that has chosen otherwise keeps its choice.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final String STEP = "step";

    private LossPlot() {}

    /**
     * Writes a line chart with a linear y axis.
     *
     * @param file the PNG file to write; missing parent directories are created
     * @param title the chart's title
     * @param yLabel the y axis label; the x axis is labelled "step"
     * @param series each series' legend name mapped to {@code {steps, values}}, drawn in the map's
     *     iteration order
     * @param width the image width in pixels
     * @param height the image height in pixels
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException if a series is not two arrays of equal length
     */
    public static void writePng(
            Path file,
            String title,
            String yLabel,
            Map<String, double[][]> series,
            int width,
            int height)
            throws IOException {
        write(file, title, STEP, yLabel, series, width, height, false);
    }

    /**
     * Writes a line chart with a linear y axis and the given x axis label.
     *
     * @param xLabel the x axis label, for example "discriminator iteration"
     * @see #writePng(Path, String, String, Map, int, int)
     */
    public static void writePng(
            Path file,
            String title,
            String xLabel,
            String yLabel,
            Map<String, double[][]> series,
            int width,
            int height)
            throws IOException {
        write(file, title, xLabel, yLabel, series, width, height, false);
    }

    /**
     * Writes a line chart with a base-10 logarithmic y axis, for quantities that fall over several
     * orders of magnitude. Values that are not positive are left out.
     *
     * @param file the PNG file to write; missing parent directories are created
     * @param title the chart's title
     * @param yLabel the y axis label; the x axis is labelled "step"
     * @param series each series' legend name mapped to {@code {steps, values}}, drawn in the map's
     *     iteration order
     * @param width the image width in pixels
     * @param height the image height in pixels
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException if a series is not two arrays of equal length
     */
    public static void writePngLogScale(
            Path file,
            String title,
            String yLabel,
            Map<String, double[][]> series,
            int width,
            int height)
            throws IOException {
        write(file, title, STEP, yLabel, series, width, height, true);
    }

    /**
     * Writes a line chart with a base-10 logarithmic y axis and the given x axis label.
     *
     * @param xLabel the x axis label, for example "discriminator iteration"
     * @see #writePngLogScale(Path, String, String, Map, int, int)
     */
    public static void writePngLogScale(
            Path file,
            String title,
            String xLabel,
            String yLabel,
            Map<String, double[][]> series,
            int width,
            int height)
            throws IOException {
        write(file, title, xLabel, yLabel, series, width, height, true);
    }

    private static void write(
            Path file,
            String title,
            String xLabel,
            String yLabel,
            Map<String, double[][]> series,
            int width,
            int height,
            boolean logScale)
            throws IOException {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException(
                    String.format("image size must be positive, got %d x %d", width, height));
        }
        JFreeChart chart = chart(title, xLabel, yLabel, dataset(series, logScale), logScale);
        BufferedImage image = chart.createBufferedImage(width, height);
        PngFile.write(image, file);
    }

    /** Series of at most this many points are drawn with their points' shapes. */
    static final int SHORT_SERIES = 2;

    /** Builds the chart's data, leaving out the points that cannot be drawn. */
    static XYSeriesCollection dataset(Map<String, double[][]> series, boolean logScale) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> entry : series.entrySet()) {
            String name = entry.getKey();
            double[][] points = entry.getValue();
            if (points.length != 2 || points[0].length != points[1].length) {
                throw new IllegalArgumentException(
                        "series '" + name + "' must be {steps, values} of equal length");
            }
            double[] steps = points[0];
            double[] values = points[1];
            XYSeries line = new XYSeries(name, true, true);
            for (int i = 0; i < steps.length; i++) {
                boolean drawable =
                        Double.isFinite(steps[i])
                                && Double.isFinite(values[i])
                                && (!logScale || values[i] > 0);
                if (drawable) {
                    line.add(steps[i], values[i], false);
                }
            }
            dataset.addSeries(line);
        }
        return dataset;
    }

    static JFreeChart chart(
            String title,
            String xLabel,
            String yLabel,
            XYSeriesCollection dataset,
            boolean logScale) {
        JFreeChart chart =
                ChartFactory.createXYLineChart(
                        title,
                        xLabel,
                        yLabel,
                        dataset,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        // A line needs two points: a series of one or two (a measurement taken only at the end)
        // would be invisible or a bare segment, so its points are drawn as shapes too.
        XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) plot.getRenderer();
        for (int s = 0; s < dataset.getSeriesCount(); s++) {
            if (dataset.getItemCount(s) <= SHORT_SERIES) {
                renderer.setSeriesShapesVisible(s, true);
            }
        }
        if (logScale) {
            LogAxis axis = new LogAxis(yLabel);
            axis.setBase(10);
            // The default labels are powers of ten with fractional exponents (10^0.35) when the
            // range spans less than a decade; mantissa and exponent read more easily.
            axis.setNumberFormatOverride(new DecimalFormat("0.##E0"));
            plot.setRangeAxis(axis);
            // The automatic range widens any span narrower than 1e-8 on a linear scale, which
            // sends the lower bound of tiny values (unitarity deviations near 1e-15) below zero
            // and draws nothing; set the range from the data instead, a factor of 2 either side.
            double lowest = Double.POSITIVE_INFINITY;
            double highest = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < dataset.getSeriesCount(); s++) {
                for (int i = 0; i < dataset.getItemCount(s); i++) {
                    lowest = Math.min(lowest, dataset.getYValue(s, i));
                    highest = Math.max(highest, dataset.getYValue(s, i));
                }
            }
            if (lowest <= highest) {
                axis.setRange(lowest / 2, highest * 2);
            }
        } else {
            ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        }
        return chart;
    }
}
