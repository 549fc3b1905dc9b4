package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.kafka.TopicNames;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `latentflow broker` serves LatentFlow's topics until it is stopped, then deletes its data. */
class BrokerCommandITCase {

    @TempDir Path folder;

    @Test
    void theBrokerServesTheTopicsUntilStoppedAndThenLeavesNoData() throws Exception {
        Path data = folder.resolve("broker");
        BrokerCommand broker = new BrokerCommand();
        CommandLine command = new CommandLine(broker);
        StringWriter output = new StringWriter();
        command.setOut(new PrintWriter(output, true));
        int[] exit = {-1};
        Thread running =
                new Thread(
                        () -> exit[0] = command.execute("--dir", data.toString()), "test-broker");
        running.start();

        Pattern address = Pattern.compile("Kafka broker at (127\\.0\\.0\\.1:\\d+)");
        Matcher found = address.matcher("");
        for (int i = 0; i < 1200 && !found.find() && running.isAlive(); i++) {
            Thread.sleep(50);
            found = address.matcher(output.toString());
        }
        assertTrue(found.find(0), "no address in: " + output);

        Set<String> topics;
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, found.group(1)))) {
            topics = admin.listTopics().names().get();
        }
        TopicNames names = TopicNames.withPrefix("latentflow");
        assertTrue(topics.contains(names.data()), topics.toString());
        assertTrue(topics.contains(names.metrics()), topics.toString());

        broker.stop();
        running.join(60_000);
        assertFalse(running.isAlive(), "the broker command did not return");
        assertEquals(0, exit[0], output.toString());
        assertFalse(Files.exists(data), "the broker's data is still there");
    }
}
