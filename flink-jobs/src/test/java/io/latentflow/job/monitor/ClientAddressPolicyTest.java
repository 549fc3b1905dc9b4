package io.latentflow.job.monitor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ClientAddressPolicyTest {
    private static final InetAddress IPV4_LOOPBACK = address("127.0.0.1");
    private static final InetAddress IPV6_LOOPBACK = address("::1");
    private static final InetAddress LAN_CLIENT = address("192.0.2.17");

    @Test
    void aServerOnLoopbackServesLoopbackClientsOnly() {
        ClientAddressPolicy policy = ClientAddressPolicy.forBindAddress(IPV4_LOOPBACK);

        assertTrue(policy.allows(IPV4_LOOPBACK, "127.0.0.1:8642"));
        assertTrue(policy.allows(IPV6_LOOPBACK, "[::1]:8642"));
        assertTrue(policy.allows(IPV4_LOOPBACK, "localhost:8642"));
        assertFalse(policy.allows(LAN_CLIENT, "127.0.0.1:8642"));
    }

    @Test
    void aLoopbackClientAskingForAnotherHostNameIsRefused() {
        ClientAddressPolicy policy = ClientAddressPolicy.loopbackOnly();

        assertFalse(policy.allows(IPV4_LOOPBACK, "attacker.example:8642"));
        assertFalse(policy.allows(IPV4_LOOPBACK, "127.0.0.1.attacker.example"));
        assertFalse(policy.allows(IPV4_LOOPBACK, "[::2]:8642"));
    }

    @Test
    void bindingToEveryAddressOnPurposeServesOtherMachines() {
        ClientAddressPolicy policy = ClientAddressPolicy.forBindAddress(address("0.0.0.0"));

        assertFalse(policy.isLoopbackOnly());
        assertTrue(policy.allows(LAN_CLIENT, "monitor.lab.example:8642"));
    }

    @Test
    void dottedLoopbackNamesAreRecognisedWithAndWithoutPort() {
        assertTrue(ClientAddressPolicy.namesLoopback("127.0.0.1"));
        assertTrue(ClientAddressPolicy.namesLoopback("127.1.2.3:80"));
        assertTrue(ClientAddressPolicy.namesLoopback("LOCALHOST"));
        assertFalse(ClientAddressPolicy.namesLoopback("127.0.0.256"));
        assertFalse(ClientAddressPolicy.namesLoopback("128.0.0.1"));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
