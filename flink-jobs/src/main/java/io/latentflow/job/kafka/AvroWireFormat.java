package io.latentflow.job.kafka;

import io.latentflow.schema.DataSample;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.DiscriminatorProbe;
import io.latentflow.schema.LatentSample;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.ModelSnapshotChunk;
import io.latentflow.schema.SampleGrid;
import io.latentflow.schema.TrainingMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How one record type travels on a topic: Avro's single-object encoding.
 *
 * <p>Each value is the two marker bytes {@code C3 01}, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the writer's schema, then the record in Avro binary. The fingerprint lets a reader
 * reject a record of another type, or of a schema it does not know, before reading it.
 *
 * <p>Instances are thread-safe and serializable, so Flink functions can hold one as a field.
 *
 * @param <T> the generated record class
 */
public final class AvroWireFormat<T extends SpecificRecord> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Length of the single-object header: two marker bytes and the schema fingerprint. */
    public static final int HEADER_LENGTH = 10;

    private final Class<T> type;
    private final transient Schema schema;
    private final transient BinaryMessageEncoder<T> encoder;
    private final transient BinaryMessageDecoder<T> decoder;
    private final transient long fingerprint;

    /** This schema's fingerprint and those of its earlier versions, which it also decodes. */
    private final transient Set<Long> readableFingerprints = new HashSet<>();

    private AvroWireFormat(Class<T> type) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        readableFingerprints.add(fingerprint);
        for (Schema older : SchemaHistory.olderSchemas(type)) {
            decoder.addSchema(older);
            readableFingerprints.add(SchemaNormalization.parsingFingerprint64(older));
        }
    }

    /**
     * Returns the wire format of a generated Avro record class.
     *
     * @param type a class generated from one of the schemas, for example {@code DataSample.class}
     */
    public static <T extends SpecificRecord> AvroWireFormat<T> of(Class<T> type) {
        return new AvroWireFormat<>(Objects.requireNonNull(type, "type"));
    }

    /** Returns the wire format of the data topic's records. */
    public static AvroWireFormat<DataSample> dataSamples() {
        return of(DataSample.class);
    }

    /** Returns the wire format of the latent topic's records. */
    public static AvroWireFormat<LatentSample> latentSamples() {
        return of(LatentSample.class);
    }

    /** Returns the wire format of the metrics topic's records. */
    public static AvroWireFormat<TrainingMetrics> trainingMetrics() {
        return of(TrainingMetrics.class);
    }

    /** Returns the wire format of the snapshot topic's records. */
    public static AvroWireFormat<ModelSnapshot> modelSnapshots() {
        return of(ModelSnapshot.class);
    }

    /** Returns the wire format of the snapshot topic's records: pieces of snapshots. */
    public static AvroWireFormat<ModelSnapshotChunk> modelSnapshotChunks() {
        return of(ModelSnapshotChunk.class);
    }

    /** Returns the wire format of the images topic's records. */
    public static AvroWireFormat<SampleGrid> sampleGrids() {
        return of(SampleGrid.class);
    }

    /** Returns the wire format of the dead-letter topic's records. */
    public static AvroWireFormat<DeadLetter> deadLetters() {
        return of(DeadLetter.class);
    }

    /** Returns the wire format of the probe records that diagnose writes to the metrics topic. */
    public static AvroWireFormat<DiscriminatorProbe> discriminatorProbes() {
        return of(DiscriminatorProbe.class);
    }

    /** Returns the record class this format reads and writes. */
    public Class<T> type() {
        return type;
    }

    /** Returns the writer's schema. */
    public Schema schema() {
        return schema;
    }

    /** Returns the schema's CRC-64-AVRO fingerprint, as written in every record's header. */
    public long fingerprint() {
        return fingerprint;
    }

    /**
     * Returns the schema fingerprint in a value's single-object header, or empty when the value
     * does not start with such a header. Readers of a topic that carries several record types use
     * it to pass over the types they do not read without trying to decode them.
     *
     * @param bytes a value as read from a topic
     */
    public static OptionalLong headerFingerprint(byte[] bytes) {
        if (bytes == null
                || bytes.length < HEADER_LENGTH
                || bytes[0] != (byte) 0xC3
                || bytes[1] != (byte) 0x01) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(
                ByteBuffer.wrap(bytes, 2, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }

    /**
     * Returns whether a value carries the header of another record type than this format's: a
     * well-formed single-object header whose fingerprint is neither this schema's nor one of its
     * earlier versions' (see {@link SchemaHistory}).
     */
    public boolean isOtherRecordType(byte[] bytes) {
        OptionalLong found = headerFingerprint(bytes);
        return found.isPresent() && !readableFingerprints.contains(found.getAsLong());
    }

    /**
     * Encodes a record with its single-object header.
     *
     * @throws org.apache.avro.AvroRuntimeException if the record breaks its schema, for example
     *     with a null in a field that does not allow it
     */
    public byte[] encode(T record) {
        Objects.requireNonNull(record, "record");
        // Writing to a stream of our own, rather than encode(record), gives an array of exactly the
        // record's length that no later call reuses.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            encoder.encode(record, bytes);
            return bytes.toByteArray();
        } catch (IOException e) {
            // The encoder writes to memory, which does not fail with an I/O error.
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes one record.
     *
     * <p>Every way bytes can fail to be a record of this type ends in an {@link IOException}: no
     * bytes at all, a wrong header, a fingerprint of another schema, a truncated body or a body
     * Avro cannot read. Callers turn it into a dead letter.
     *
     * @param bytes a value as read from the topic
     * @return the record
     * @throws IOException if the bytes are not a record of this type
     */
    public T decode(byte[] bytes) throws IOException {
        if (bytes == null || bytes.length == 0) {
            throw new IOException("No bytes to decode as " + type.getSimpleName());
        }
        try {
            return decoder.decode(bytes);
        } catch (IOException e) {
            throw new IOException(failure(bytes, e), e);
        } catch (RuntimeException e) {
            // Avro reports bad headers, unknown schemas and malformed bodies as unchecked
            // exceptions of several classes; one checked type is easier to route to a dead letter.
            throw new IOException(failure(bytes, e), e);
        }
    }

    /** Returns a Kafka serializer that writes this format; it writes null for a null record. */
    public Serializer<T> serializer() {
        return (topic, record) -> record == null ? null : encode(record);
    }

    /**
     * Returns a Kafka deserializer that reads this format; it reads null for a null value and
     * throws {@link SerializationException} for bytes it cannot decode.
     */
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return decode(bytes);
            } catch (IOException e) {
                throw new SerializationException(
                        "Record on topic " + topic + ": " + e.getMessage(), e);
            }
        };
    }

    @Override
    public String toString() {
        return "AvroWireFormat[" + type.getName() + "]";
    }

    private String failure(byte[] bytes, Exception cause) {
        return "Not a "
                + type.getSimpleName()
                + " in single-object encoding ("
                + bytes.length
                + " bytes): "
                + cause.getClass().getSimpleName()
                + ": "
                + cause.getMessage();
    }

    /** Rebuilds the encoder and decoder, which Avro does not make serializable. */
    private Object readResolve() throws ObjectStreamException {
        return of(type);
    }
}
