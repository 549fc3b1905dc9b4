package io.latentflow.core.recurrent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 digest of a float64 parameter vector, for determinism checks and provenance. */
final class ParameterHash {
    private static final int CHUNK = 1 << 14;

    private ParameterHash() {}

    /** Returns the digest, in lower-case hex, of the values as float64 big-endian, in order. */
    static String sha256(double[] values) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK * Double.BYTES).order(ByteOrder.BIG_ENDIAN);
        for (int start = 0; start < values.length; start += CHUNK) {
            int length = Math.min(CHUNK, values.length - start);
            bytes.clear();
            bytes.asDoubleBuffer().put(values, start, length);
            digest.update(bytes.array(), 0, length * Double.BYTES);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
