package io.latentflow.job.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.schema.DataSample;
import io.latentflow.schema.DeadLetter;
import io.latentflow.schema.DiscriminatorProbe;
import io.latentflow.schema.LatentSample;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.TrainingMetrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AvroWireFormatTest {

    static DataSample dataSample() {
        return DataSample.newBuilder()
                .setRunId("run-1")
                .setSequence(17)
                .setSourceIndex(40_123)
                .setLabel(7)
                .setHeight(2)
                .setWidth(3)
                .setPixels(List.of(0f, 0.25f, 0.5f, 0.75f, 1f, 0.125f))
                .build();
    }

    static LatentSample latentSample() {
        return LatentSample.newBuilder()
                .setRunId("run-1")
                .setSeed(42)
                .setSequence(17)
                .setPrior(List.of(0.5f, -1.25f))
                .setNoise(List.of(-0.75f, 2f))
                .build();
    }

    static TrainingMetrics trainingMetrics() {
        return TrainingMetrics.newBuilder()
                .setRunId("run-1")
                .setModel("ali-mlp")
                .setSeed(42)
                .setStep(100)
                .setBatchSize(64)
                .setApplied(true)
                .setDiscriminatorLoss(1.25)
                .setGeneratorLoss(0.75)
                .setMeanRealScore(0.6)
                .setMeanFakeScore(0.4)
                .setDiscriminatorAccuracy(0.55)
                .setDiscriminatorGradNorm(3.5)
                .setGeneratorGradNorm(2.5)
                .setEncoderGradNorm(1.5)
                .setReconstructionError(0.05)
                .setSamplesPerSecond(1234.5)
                .setDataOffset(6399)
                .setLatentOffset(6399)
                .setDeadLetters(2)
                .setSkippedSteps(1)
                .build();
    }

    static ModelSnapshot modelSnapshot() {
        return ModelSnapshot.newBuilder()
                .setRunId("run-1")
                .setModel("ali-mlp")
                .setSeed(42)
                .setStep(100)
                .setConfiguration(Map.of("learningRate", "2e-4", "latentDimension", "64"))
                .setParameterHash("ab".repeat(32))
                .setNetworks(
                        Map.of(
                                "generator", ByteBuffer.wrap(new byte[] {1, 2, 3, 4}),
                                "encoder", ByteBuffer.wrap(new byte[] {5, 6, 7, 8})))
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic("latentflow.data")
                .setSourcePartition(0)
                .setSourceOffset(99)
                .setReason("not a DataSample")
                .setErrorClass("java.io.IOException")
                .setPayload(ByteBuffer.wrap(new byte[] {9, 9, 9}))
                .build();
    }

    static DiscriminatorProbe discriminatorProbe() {
        return DiscriminatorProbe.newBuilder()
                .setProbeRunId("diagnose-1")
                .setSnapshotRunId("run-1")
                .setSnapshotStep(600)
                .setSnapshotParameterHash("cd".repeat(32))
                .setModel("gan-mlp")
                .setSeed(3)
                .setBatchSize(100)
                .setInstanceNoiseSigma(0.1)
                .setIteration(40)
                .setApplied(true)
                .setDiscriminatorLoss(0.25)
                .setDiscriminatorAccuracy(0.97)
                .setRealAccuracy(0.99)
                .setFakeAccuracy(0.95)
                .setGeneratorGradNormMinimax(1e-3)
                .setGeneratorGradNormNonSaturating(4.5)
                .setDataOffset(3999)
                .setLatentOffset(3999)
                .setSkippedRecords(0)
                .build();
    }

    static Stream<Arguments> everyRecordType() {
        return Stream.of(
                Arguments.of(AvroWireFormat.dataSamples(), dataSample()),
                Arguments.of(AvroWireFormat.latentSamples(), latentSample()),
                Arguments.of(AvroWireFormat.trainingMetrics(), trainingMetrics()),
                Arguments.of(AvroWireFormat.modelSnapshots(), modelSnapshot()),
                Arguments.of(AvroWireFormat.deadLetters(), deadLetter()),
                Arguments.of(AvroWireFormat.discriminatorProbes(), discriminatorProbe()));
    }

    @ParameterizedTest
    @MethodSource("everyRecordType")
    <T extends SpecificRecord> void decodingAnEncodedRecordGivesAnEqualRecord(
            AvroWireFormat<T> format, T record) throws IOException {
        T decoded = format.decode(format.encode(record));

        assertEquals(record, decoded);
    }

    @ParameterizedTest
    @MethodSource("everyRecordType")
    <T extends SpecificRecord> void anEncodedRecordStartsWithMarkerAndSchemaFingerprint(
            AvroWireFormat<T> format, T record) {
        byte[] bytes = format.encode(record);
        long expectedFingerprint = SchemaNormalization.parsingFingerprint64(record.getSchema());

        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(expectedFingerprint, fingerprint);
        assertEquals(expectedFingerprint, format.fingerprint());
        assertTrue(bytes.length > AvroWireFormat.HEADER_LENGTH);
    }

    @Test
    void eachEncodingIsItsOwnArrayOfExactLength() throws IOException {
        AvroWireFormat<DataSample> format = AvroWireFormat.dataSamples();
        byte[] first = format.encode(dataSample());
        byte[] copyOfFirst = first.clone();

        byte[] second = format.encode(AvroWireFormatTest.dataSampleWithSequence(18));

        assertArrayEquals(copyOfFirst, first);
        assertEquals(first.length, second.length);
        assertEquals(18, format.decode(second).getSequence());
    }

    @Test
    void genericFactoryReadsWhatTheNamedFactoryWrote() throws IOException {
        byte[] bytes = AvroWireFormat.dataSamples().encode(dataSample());

        assertEquals(dataSample(), AvroWireFormat.of(DataSample.class).decode(bytes));
    }

    @Test
    void randomBytesFailToDecode() {
        byte[] garbage = new byte[200];
        new Random(7).nextBytes(garbage);

        assertThrows(IOException.class, () -> AvroWireFormat.dataSamples().decode(garbage));
    }

    @Test
    void emptyAndNullValuesFailToDecode() {
        AvroWireFormat<DataSample> format = AvroWireFormat.dataSamples();

        assertThrows(IOException.class, () -> format.decode(new byte[0]));
        assertThrows(IOException.class, () -> format.decode(null));
    }

    @Test
    void aTruncatedRecordFailsToDecode() {
        AvroWireFormat<DataSample> format = AvroWireFormat.dataSamples();
        byte[] bytes = format.encode(dataSample());

        for (int length : new int[] {1, 5, AvroWireFormat.HEADER_LENGTH, bytes.length - 1}) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThrows(IOException.class, () -> format.decode(truncated), "length " + length);
        }
    }

    @Test
    void aProbeOnTheMetricsTopicIsRecognizedAsAnotherRecordTypeByItsHeader() {
        AvroWireFormat<TrainingMetrics> metrics = AvroWireFormat.trainingMetrics();
        byte[] probe = AvroWireFormat.discriminatorProbes().encode(discriminatorProbe());

        assertTrue(metrics.isOtherRecordType(probe));
        assertEquals(
                AvroWireFormat.discriminatorProbes().fingerprint(),
                AvroWireFormat.headerFingerprint(probe).getAsLong());
        assertFalse(metrics.isOtherRecordType(metrics.encode(trainingMetrics())));
    }

    @Test
    void bytesWithoutASingleObjectHeaderAreNotTakenForAnotherRecordType() {
        byte[] garbage = new byte[40];
        new Random(3).nextBytes(garbage);
        garbage[0] = 0x00;

        assertFalse(AvroWireFormat.trainingMetrics().isOtherRecordType(garbage));
        assertFalse(AvroWireFormat.trainingMetrics().isOtherRecordType(new byte[] {(byte) 0xC3}));
        assertFalse(AvroWireFormat.trainingMetrics().isOtherRecordType(null));
    }

    @Test
    void aRecordOfAnotherTypeFailsToDecode() {
        byte[] latent = AvroWireFormat.latentSamples().encode(latentSample());

        IOException failure =
                assertThrows(IOException.class, () -> AvroWireFormat.dataSamples().decode(latent));
        assertTrue(failure.getMessage().contains("DataSample"), failure.getMessage());
    }

    @Test
    void aValidHeaderFollowedByGarbageFailsToDecode() {
        AvroWireFormat<DataSample> format = AvroWireFormat.dataSamples();
        byte[] bytes = format.encode(dataSample());
        // A run id whose length field claims about a gigabyte.
        byte[] corrupt = Arrays.copyOf(bytes, bytes.length);
        corrupt[AvroWireFormat.HEADER_LENGTH] = (byte) 0xfe;
        corrupt[AvroWireFormat.HEADER_LENGTH + 1] = (byte) 0xff;
        corrupt[AvroWireFormat.HEADER_LENGTH + 2] = (byte) 0xff;
        corrupt[AvroWireFormat.HEADER_LENGTH + 3] = (byte) 0xff;
        corrupt[AvroWireFormat.HEADER_LENGTH + 4] = (byte) 0x07;

        assertThrows(IOException.class, () -> format.decode(corrupt));
    }

    @Test
    void kafkaAdaptersRoundTripAndRejectGarbage() {
        AvroWireFormat<DataSample> format = AvroWireFormat.dataSamples();
        byte[] bytes = format.serializer().serialize("latentflow.data", dataSample());

        assertEquals(dataSample(), format.deserializer().deserialize("latentflow.data", bytes));
        assertNull(format.deserializer().deserialize("latentflow.data", null));
        assertThrows(
                SerializationException.class,
                () -> format.deserializer().deserialize("latentflow.data", new byte[] {1, 2, 3}));
    }

    @Test
    void aJavaSerializedFormatStillDecodes() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(AvroWireFormat.latentSamples());
        }
        AvroWireFormat<?> copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
            copy = (AvroWireFormat<?>) in.readObject();
        }

        byte[] bytes = AvroWireFormat.latentSamples().encode(latentSample());
        assertEquals(latentSample(), copy.decode(bytes));
    }

    private static DataSample dataSampleWithSequence(long sequence) {
        DataSample sample = dataSample();
        sample.setSequence(sequence);
        return sample;
    }
}
