package io.latentflow.job.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The earlier versions of a record's schema, so that a reader still decodes records written before
 * the schema last changed: Avro resolves each against the current schema by its fingerprint,
 * filling added fields with their defaults.
 *
 * <p>Version n of record R is the resource {@code io/latentflow/schema/history/R.n.avsc} of the
 * schemas module, versions counted from 1 without gaps; a record without history has none.
 */
final class SchemaHistory {
    private static final String FOLDER = "io/latentflow/schema/history/";

    private SchemaHistory() {}

    /** Returns the earlier schemas of the record class, oldest first. */
    static List<Schema> olderSchemas(Class<?> type) {
        List<Schema> schemas = new ArrayList<>();
        ClassLoader loader = type.getClassLoader();
        for (int version = 1; ; version++) {
            String name = FOLDER + type.getSimpleName() + "." + version + ".avsc";
            try (InputStream in = loader.getResourceAsStream(name)) {
                if (in == null) {
                    return schemas;
                }
                schemas.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read the schema history " + name, e);
            }
        }
    }
}
