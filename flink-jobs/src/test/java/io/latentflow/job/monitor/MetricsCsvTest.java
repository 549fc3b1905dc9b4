package io.latentflow.job.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvTest {

    @Test
    void columnsAreFoundByNameAndQuotedWarningsKeepTheirCommas(@TempDir Path folder)
            throws Exception {
        Path csv = folder.resolve("metrics.csv");
        Files.write(
                csv,
                List.of(
                        "step,generator_loss,discriminator_loss,instance_noise_sigma,warning",
                        "10,0.70,1.25,0.1,",
                        "20,0.65,1.20,0.05,\"saturated, \"\"D\"\" wins\""));
        RunHistories histories = new RunHistories();

        int rows = MetricsCsv.read(csv, "csv-run", "gan-mlp", histories);

        assertEquals(2, rows);
        histories.read(
                run -> {
                    assertEquals("csv-run", run.runId());
                    assertEquals(20, run.stepAt(1));
                    assertEquals(1.20, run.valueAt(MonitoredQuantity.DISCRIMINATOR_LOSS, 1), 1e-12);
                    assertEquals(0.70, run.valueAt(MonitoredQuantity.GENERATOR_LOSS, 0), 1e-12);
                    assertTrue(Double.isNaN(run.valueAt(MonitoredQuantity.JSD_ESTIMATE, 0)));
                    assertEquals("saturated, \"D\" wins", run.lastWarning());
                });
    }
}
