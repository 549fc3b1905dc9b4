package io.latentflow.job.monitor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The monitor's JSON: the history, batches of new points, the follower's status and which grids it
 * holds.
 *
 * <p>Values that are not finite (a GAN's reconstruction error, a diverged loss) are written as
 * null, which JSON can hold and a chart draws as a gap; JSON has no NaN.
 */
final class MonitorJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private MonitorJson() {}

    /** The history as {@code /api/history} returns it. */
    static String history(RunHistories.Snapshot snapshot, FollowerStatus status, int maxPoints) {
        return write(
                json -> {
                    json.writeStartObject();
                    json.writeNumberField("sequence", snapshot.sequence());
                    json.writeNumberField("maxPoints", maxPoints);
                    json.writeFieldName("status");
                    writeStatus(json, status);
                    json.writeArrayFieldStart("runs");
                    for (RunHistory.View run : snapshot.runs()) {
                        writeRun(json, run);
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                });
    }

    /** New points, as the event stream sends them. */
    static String points(List<RunHistories.Point> points) {
        return write(
                json -> {
                    json.writeStartObject();
                    json.writeNumberField(
                            "sequence",
                            points.isEmpty() ? 0 : points.get(points.size() - 1).sequence());
                    json.writeArrayFieldStart("points");
                    for (RunHistories.Point point : points) {
                        json.writeStartObject();
                        json.writeNumberField("sequence", point.sequence());
                        json.writeStringField("runId", point.runId());
                        json.writeStringField("model", point.model());
                        json.writeNumberField("step", point.step());
                        json.writeObjectFieldStart("values");
                        for (MonitoredQuantity quantity : MonitoredQuantity.values()) {
                            json.writeFieldName(quantity.key());
                            writeValue(json, point.values()[quantity.ordinal()]);
                        }
                        json.writeEndObject();
                        json.writeStringField("warning", point.warning());
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                });
    }

    /** Every grid held, as {@code /api/images} returns it; the PNG bytes are served apart. */
    static String grids(List<GridImages.Grid> grids) {
        return write(
                json -> {
                    json.writeStartObject();
                    json.writeArrayFieldStart("grids");
                    for (GridImages.Grid grid : grids) {
                        writeGrid(json, grid);
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                });
    }

    /** That a new grid arrived, as the event stream announces it. */
    static String grid(GridImages.Grid grid) {
        return write(json -> writeGrid(json, grid));
    }

    private static void writeGrid(JsonGenerator json, GridImages.Grid grid) throws IOException {
        json.writeStartObject();
        json.writeStringField("runId", grid.runId());
        json.writeStringField("kind", grid.kind());
        json.writeNumberField("step", grid.step());
        json.writeNumberField("width", grid.width());
        json.writeNumberField("height", grid.height());
        json.writeEndObject();
    }

    /** The follower's status. */
    static String status(FollowerStatus status) {
        return write(json -> writeStatus(json, status));
    }

    private static void writeStatus(JsonGenerator json, FollowerStatus status) throws IOException {
        json.writeStartObject();
        json.writeStringField("state", status.state());
        json.writeBooleanField("connected", status.connected());
        json.writeStringField("topic", status.topic());
        json.writeNumberField("records", status.records());
        json.writeNumberField("skipped", status.skipped());
        json.writeEndObject();
    }

    private static void writeRun(JsonGenerator json, RunHistory.View run) throws IOException {
        json.writeStartObject();
        json.writeStringField("runId", run.runId());
        json.writeStringField("model", run.model());
        json.writeStringField("generatorCost", run.generatorCost());
        json.writeNumberField("points", run.points());
        json.writeNumberField("lastStep", run.lastStep());
        json.writeObjectFieldStart("series");
        for (Map.Entry<MonitoredQuantity, RunHistory.Series> entry : run.series().entrySet()) {
            json.writeObjectFieldStart(entry.getKey().key());
            json.writeArrayFieldStart("steps");
            for (long step : entry.getValue().steps()) {
                json.writeNumber(step);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("values");
            for (double value : entry.getValue().values()) {
                writeValue(json, value);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndObject();
        json.writeArrayFieldStart("warnings");
        for (RunHistory.Warning warning : run.warnings()) {
            json.writeStartObject();
            json.writeNumberField("step", warning.step());
            json.writeStringField("text", warning.text());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void writeValue(JsonGenerator json, double value) throws IOException {
        if (Double.isFinite(value)) {
            json.writeNumber(value);
        } else {
            json.writeNull();
        }
    }

    private interface JsonWriting {
        void writeTo(JsonGenerator json) throws IOException;
    }

    private static String write(JsonWriting writing) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(text)) {
            writing.writeTo(json);
        } catch (IOException e) {
            // The generator writes to memory, which does not fail with an I/O error.
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
