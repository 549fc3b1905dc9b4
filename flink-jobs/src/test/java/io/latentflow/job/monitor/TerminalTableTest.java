package io.latentflow.job.monitor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TerminalTableTest {

    @Test
    void eachRunGetsARowWithItsLatestValuesAndWarning() {
        RunHistories histories = new RunHistories();
        histories.add(MetricsRecords.metrics("first-run", "ali-mlp", 10));
        histories.add(MetricsRecords.metrics("first-run", "ali-mlp", 1000));
        histories.add(MetricsRecords.metrics("second-run", "gan-mlp", 30));
        FollowerStatus status = new FollowerStatus("connected", "latentflow.metrics", 3, 1);

        String table = TerminalTable.render(histories, status, false);

        String[] lines = table.split("\\R");
        assertTrue(lines[0].contains("connected, topic latentflow.metrics, 3 records read, 1"));
        assertTrue(lines[2].startsWith("first-run"), lines[2]);
        assertTrue(lines[2].contains(" 1000 "), lines[2]);
        double loss = MetricsRecords.metrics("first-run", "ali-mlp", 1000).getDiscriminatorLoss();
        assertTrue(lines[2].contains(String.format(java.util.Locale.ROOT, "%.4f", loss)), lines[2]);
        assertTrue(lines[3].startsWith("second-run"), lines[3]);
        assertTrue(table.contains("warning first-run: saturation check at step 1000"), table);
        assertFalse(table.startsWith("\u001b"), "no escapes when not redrawing in place");
    }

    @Test
    void recurrentAndAutoencoderRunsGetRowsOfTheirOwnQuantities() {
        RunHistories histories = new RunHistories();
        histories.add(MetricsRecords.sequenceMetrics("copying-run", 100));
        histories.add(MetricsRecords.sequenceMetrics("copying-run", 150));
        histories.add(MetricsRecords.autoencoderMetrics("autoencoder-run", 4));
        FollowerStatus status = new FollowerStatus("connected", "latentflow.metrics", 3, 0);

        String[] lines = TerminalTable.render(histories, status, false).split("\\R");

        assertTrue(lines[2].startsWith("copying-run"), lines[2]);
        assertTrue(lines[2].contains("loss 0.1850 (baseline 0.1733)"), lines[2]);
        assertTrue(lines[2].contains("accuracy 0.250"), lines[2]);
        assertTrue(lines[2].contains("test 0.500"), "the last test, from step 100: " + lines[2]);
        assertTrue(lines[2].contains("|W^H W - I| 1.0e-15"), lines[2]);
        assertTrue(lines[3].startsWith("autoencoder-run"), lines[3]);
        assertTrue(lines[3].contains("training error 25.000 damping 0.25"), lines[3]);
    }

    @Test
    void redrawingInPlaceStartsByMovingHomeAndClearing() {
        String table =
                TerminalTable.render(
                        new RunHistories(),
                        new FollowerStatus("disconnected", "latentflow.metrics", 0, 0),
                        true);

        assertTrue(table.startsWith("\u001b[H\u001b[J"));
        assertTrue(table.contains("LatentFlow monitor: disconnected"));
        assertTrue(table.contains("(no runs yet)"));
    }
}
