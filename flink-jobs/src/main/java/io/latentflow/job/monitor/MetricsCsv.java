package io.latentflow.job.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code metrics.csv} a run folder holds back into a {@link RunHistories}, finding each
 * quantity's column by its name in the header row; a column the file does not have, and an empty
 * field (a quantity the record left null, such as a first-order run's damping), read as NaN.
 */
public final class MetricsCsv {
    private MetricsCsv() {}

    /**
     * Adds every row of a run's CSV file as a point of that run.
     *
     * @param csv the file, with a header row
     * @param runId the run's name
     * @param model the run's model configuration name
     * @param histories where the points go
     * @return the number of rows read
     * @throws IOException if the file cannot be read, has no step column, or a row cannot be parsed
     */
    public static int read(Path csv, String runId, String model, RunHistories histories)
            throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) {
            throw new IOException(csv + " is empty: expected a header row");
        }
        List<String> header = fields(lines.get(0));
        int stepColumn = header.indexOf("step");
        if (stepColumn < 0) {
            throw new IOException(csv + " has no step column: " + header);
        }
        MonitoredQuantity[] quantities = MonitoredQuantity.values();
        int[] columns = new int[quantities.length];
        for (MonitoredQuantity quantity : quantities) {
            columns[quantity.ordinal()] = header.indexOf(quantity.csvColumn());
        }
        int warningColumn = header.indexOf("warning");

        int rows = 0;
        for (int line = 1; line < lines.size(); line++) {
            if (lines.get(line).isBlank()) {
                continue;
            }
            List<String> row = fields(lines.get(line));
            try {
                long step = Long.parseLong(row.get(stepColumn));
                double[] values = new double[quantities.length];
                for (int q = 0; q < quantities.length; q++) {
                    values[q] =
                            columns[q] >= 0
                                            && columns[q] < row.size()
                                            && !row.get(columns[q]).isEmpty()
                                    ? Double.parseDouble(row.get(columns[q]))
                                    : Double.NaN;
                }
                String warning =
                        warningColumn >= 0
                                        && warningColumn < row.size()
                                        && !row.get(warningColumn).isEmpty()
                                ? row.get(warningColumn)
                                : null;
                histories.add(runId, model, "", step, values, warning);
                rows++;
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IOException(
                        csv + " line " + (line + 1) + " cannot be read: " + e.getMessage(), e);
            }
        }
        return rows;
    }

    /** Splits one CSV line into fields; a field in double quotes may hold commas and "" quotes. */
    static List<String> fields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }
}
