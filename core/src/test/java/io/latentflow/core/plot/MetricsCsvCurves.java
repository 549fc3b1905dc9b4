package io.latentflow.core.plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Overlays one column of several recurrent runs' metrics.csv files in one PNG, by hand (not part of
 * the test suite): {@code OUTPUT.png TITLE Y_LABEL COLUMN LABEL=metrics.csv...} (the last =
 * splits). Rows whose value is NaN or empty are left out, so that {@code test_accuracy} (or the
 * uRNN experiment's {@code held_out_cost}) draws only the steps that measured it.
 */
public final class MetricsCsvCurves {
    private MetricsCsvCurves() {}

    public static void main(String[] args) throws IOException {
        Path output = Path.of(args[0]);
        String title = args[1];
        String yLabel = args[2];
        String column = args[3];
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String run : Arrays.copyOfRange(args, 4, args.length)) {
            int split = run.lastIndexOf('=');
            List<String> lines = Files.readAllLines(Path.of(run.substring(split + 1)));
            List<String> header = List.of(lines.get(0).split(","));
            int index = header.indexOf(column);
            if (index < 0) {
                throw new IllegalArgumentException(run + " has no column " + column);
            }
            List<double[]> points = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",", -1);
                if (cells[index].isEmpty()) {
                    continue;
                }
                double value = Double.parseDouble(cells[index]);
                if (!Double.isNaN(value)) {
                    points.add(new double[] {Double.parseDouble(cells[0]), value});
                }
            }
            double[][] xy = new double[2][points.size()];
            for (int i = 0; i < points.size(); i++) {
                xy[0][i] = points.get(i)[0];
                xy[1][i] = points.get(i)[1];
            }
            series.put(run.substring(0, split), xy);
        }
        LossPlot.writePng(output, title, yLabel, series, 1000, 560);
    }
}
