package io.latentflow.job.monitor;

import java.net.InetAddress;
import java.util.Locale;

/**
 * Which clients the monitor serves.
 *
 * <p>By default only this machine: the client's address must be a loopback address, and the Host
 * header the browser sent must name a loopback host too, so that a web page from elsewhere cannot
 * reach the monitor through a DNS name it points at 127.0.0.1. A user who binds the server to
 * another address on purpose serves every client that can reach it.
 */
public final class ClientAddressPolicy {
    private final boolean loopbackOnly;

    private ClientAddressPolicy(boolean loopbackOnly) {
        this.loopbackOnly = loopbackOnly;
    }

    /** Serves only clients on this machine. */
    public static ClientAddressPolicy loopbackOnly() {
        return new ClientAddressPolicy(true);
    }

    /** Serves every client. */
    public static ClientAddressPolicy anyClient() {
        return new ClientAddressPolicy(false);
    }

    /** Loopback clients only if the server listens on a loopback address, else any client. */
    public static ClientAddressPolicy forBindAddress(InetAddress bindAddress) {
        return bindAddress.isLoopbackAddress() ? loopbackOnly() : anyClient();
    }

    /** Returns whether only loopback clients are served. */
    public boolean isLoopbackOnly() {
        return loopbackOnly;
    }

    /**
     * Returns whether a request is served.
     *
     * @param client the address the request came from
     * @param hostHeader the request's Host header, or null if it had none
     */
    public boolean allows(InetAddress client, String hostHeader) {
        if (!loopbackOnly) {
            return true;
        }
        return client.isLoopbackAddress() && (hostHeader == null || namesLoopback(hostHeader));
    }

    /** Whether a Host header, with or without a port, names this machine by a loopback name. */
    static boolean namesLoopback(String hostHeader) {
        String host = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close > 0 && host.substring(1, close).equals("::1");
        }
        int colon = host.indexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        return host.equals("localhost") || isDottedLoopback(host);
    }

    private static boolean isDottedLoopback(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return false;
            }
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }
}
