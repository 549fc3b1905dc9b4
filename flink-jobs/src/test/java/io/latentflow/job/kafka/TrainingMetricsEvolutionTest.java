package io.latentflow.job.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.latentflow.schema.TrainingMetrics;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * A metrics record written with the schema before the Hessian-free fields still decodes, with those
 * fields null, and still counts as a metrics record on a shared topic.
 */
class TrainingMetricsEvolutionTest {

    @Test
    void aRecordOfTheEarlierSchemaDecodesWithTheHessianFreeFieldsNull() throws IOException {
        List<Schema> history = SchemaHistory.olderSchemas(TrainingMetrics.class);
        assertEquals(1, history.size());
        Schema earlier = history.get(0);
        assertNull(earlier.getField("optimizer"));
        assertNotEquals(
                SchemaNormalization.parsingFingerprint64(earlier),
                SchemaNormalization.parsingFingerprint64(TrainingMetrics.getClassSchema()));

        GenericRecord old = new GenericData.Record(earlier);
        for (Schema.Field field : earlier.getFields()) {
            old.put(field.name(), valueFor(field.schema()));
        }
        old.put("runId", "old-run");
        old.put("step", 7L);
        old.put("discriminatorAccuracy", 0.75);
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), earlier)
                        .encode(old)
                        .array();

        AvroWireFormat<TrainingMetrics> format = AvroWireFormat.trainingMetrics();
        assertFalse(format.isOtherRecordType(bytes));
        TrainingMetrics decoded = format.decode(bytes);
        assertEquals("old-run", decoded.getRunId());
        assertEquals(7L, decoded.getStep());
        assertEquals(0.75, decoded.getDiscriminatorAccuracy());
        assertNull(decoded.getOptimizer());
        assertNull(decoded.getDiscriminatorDamping());
        assertNull(decoded.getGeneratorMostNegativeCurvature());
        assertNull(decoded.getGeneratorCurvatureProducts());
    }

    private static Object valueFor(Schema schema) {
        return switch (schema.getType()) {
            case STRING -> "x";
            case LONG -> 1L;
            case INT -> 1;
            case DOUBLE -> 0.5;
            case BOOLEAN -> true;
            case UNION -> null;
            default -> throw new IllegalArgumentException("no value for " + schema);
        };
    }
}
