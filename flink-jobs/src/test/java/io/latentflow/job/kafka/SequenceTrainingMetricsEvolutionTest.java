package io.latentflow.job.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.latentflow.schema.SequenceTrainingMetrics;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Metrics records written before the Hessian-free fields were added to {@code
 * SequenceTrainingMetrics} stay readable: the current reader resolves them, with the new fields
 * null, and a topic reader does not take them for another record type.
 */
class SequenceTrainingMetricsEvolutionTest {
    private static Schema earlierSchema() throws Exception {
        try (InputStream in =
                SequenceTrainingMetricsEvolutionTest.class.getResourceAsStream(
                        "/io/latentflow/schema/history/SequenceTrainingMetrics.1.avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    @Test
    void theCurrentSchemaReadsRecordsOfTheEarlierOne() throws Exception {
        Schema earlier = earlierSchema();
        assertEquals(
                SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(
                                SequenceTrainingMetrics.getClassSchema(), earlier)
                        .getType());
        assertFalse(earlier.getFields().stream().anyMatch(f -> f.name().equals("damping")));
    }

    @Test
    void anEarlierRecordOnTheTopicDecodesWithNullSecondOrderFields() throws Exception {
        Schema earlier = earlierSchema();
        GenericRecord old = new GenericData.Record(earlier);
        old.put("runId", "old-run");
        old.put("model", "urnn");
        old.put("task", "copying");
        old.put("seed", 1L);
        old.put("taskSeed", 2L);
        old.put("configuration", Map.of("optimizer", "rmsprop"));
        old.put("step", 7L);
        old.put("batchSize", 20);
        old.put("timeSteps", 120);
        old.put("applied", true);
        old.put("loss", 0.25);
        old.put("baselineLoss", 0.17);
        old.put("accuracy", 0.5);
        old.put("unitarityDeviation", 1e-15);
        old.put("gradientNorm", 1.5);
        old.put("stateGradientNorms", List.of(1.0, 2.0));
        old.put("samplesPerSecond", 100.0);
        old.put("dataOffset", 139L);
        old.put("deadLetters", 0L);
        old.put("skippedSteps", 0L);
        old.put("testAccuracy", Double.NaN);
        old.put("testLoss", Double.NaN);
        old.put("testExamples", 0);
        old.put("parameterHash", "abc");
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), earlier)
                        .encode(old)
                        .array();

        AvroWireFormat<SequenceTrainingMetrics> format =
                AvroWireFormat.of(SequenceTrainingMetrics.class);
        assertFalse(format.isOtherRecordType(bytes));
        SequenceTrainingMetrics read = format.decode(bytes);

        assertEquals("old-run", read.getRunId());
        assertEquals(7L, read.getStep());
        assertEquals(0.25, read.getLoss());
        assertEquals("abc", read.getParameterHash());
        assertNull(read.getCurvatureBatch());
        assertNull(read.getDamping());
        assertNull(read.getReductionRatio());
        assertNull(read.getNegativeCurvatureMet());
    }
}
