package io.latentflow.job.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvTest {
    /** The first columns of a recurrent run's metrics.csv. */
    private static final String RECURRENT_COLUMNS =
            "step,applied,loss,baseline_loss,accuracy,unitarity_deviation,gradient_norm,"
                    + "samples_per_second,data_offset,dead_letters,test_accuracy,test_loss,"
                    + "test_examples";

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

    @Test
    void aRecurrentRunsCsvDrawsTheRecurrentChartsAndNoAdversarialOnes(@TempDir Path folder)
            throws Exception {
        Path csv = folder.resolve("metrics.csv");
        Files.write(
                csv,
                List.of(
                        RECURRENT_COLUMNS,
                        "1,true,2.73,0.1733,0.12,1.2e-15,3.5,400,20,0,NaN,NaN,0",
                        "10,true,0.57,0.1733,0.35,1.1e-15,1.5,410,200,0,0.4,1.2,100"));
        RunHistories histories = new RunHistories();
        MetricsCsv.read(csv, "copying-run", "urnn", histories);

        List<Path> written = CurvePlots.write(histories, folder.resolve("plots"));

        histories.read(
                run -> {
                    assertEquals(0.57, run.valueAt(MonitoredQuantity.SEQUENCE_LOSS, 1), 1e-12);
                    assertEquals(0.1733, run.valueAt(MonitoredQuantity.BASELINE_LOSS, 0), 1e-12);
                    assertEquals(0.4, run.valueAt(MonitoredQuantity.TEST_ACCURACY, 1), 1e-12);
                });
        List<String> names =
                written.stream().map(path -> path.getFileName().toString()).sorted().toList();
        assertEquals(
                List.of(
                        "dead-letters.png",
                        "samples-per-second.png",
                        "sequence-accuracy.png",
                        "sequence-gradient-norm.png",
                        "sequence-loss.png",
                        "unitarity.png"),
                names);
        for (Path file : written) {
            assertTrue(Files.size(file) > 1000, file + " holds a picture");
        }
    }

    @Test
    void theEmptySecondOrderFieldsOfAFirstOrderRecurrentRunReadAsNaN(@TempDir Path folder)
            throws Exception {
        Path csv = folder.resolve("metrics.csv");
        Files.write(
                csv,
                List.of(
                        RECURRENT_COLUMNS
                                + ",batch_size,curvature_batch,damping,next_damping,"
                                + "inner_iterations,curvature_products,predicted_reduction,"
                                + "actual_reduction,rho,step_length,most_negative_curvature,"
                                + "negative_curvature_met",
                        "1,true,2.73463,0.173287,0.1250,9.992e-16,20.4994,51.7,19,0,NaN,NaN,0,20,"
                                + ",,,,,,,,,,"));
        RunHistories histories = new RunHistories();

        assertEquals(1, MetricsCsv.read(csv, "rmsprop-run", "urnn", histories));
        histories.read(
                run -> {
                    assertEquals(2.73463, run.valueAt(MonitoredQuantity.SEQUENCE_LOSS, 0), 1e-12);
                    assertTrue(Double.isNaN(run.valueAt(MonitoredQuantity.DAMPING, 0)));
                    assertTrue(Double.isNaN(run.valueAt(MonitoredQuantity.INNER_ITERATIONS, 0)));
                });
    }
}
