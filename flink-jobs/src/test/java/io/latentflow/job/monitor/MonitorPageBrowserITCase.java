package io.latentflow.job.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.latentflow.core.data.FashionMnist;
import io.latentflow.core.data.IdxImages;
import io.latentflow.core.image.ImageGrid;
import io.latentflow.core.image.PngFile;
import io.latentflow.job.cli.LatentFlowCommand;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.produce.IdxImageSource;
import io.latentflow.schema.GridKind;
import io.latentflow.schema.SampleGrid;
import io.latentflow.schema.TrainingMetrics;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The monitor page in headless Chromium, driven by Selenium: it draws points from the topic, keeps
 * drawing new ones as they are written, shows each run's latest sample and reconstruction grids,
 * and stays quick with 100,000 points from ten runs. Skipped where the Debian packages chromium and
 * chromium-driver are not installed.
 */
class MonitorPageBrowserITCase {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorPageBrowserITCase.class);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path ARTIFACTS = Path.of("target", "monitor-browser");

    /** Long enough that the page is open while the small model trains. */
    private static final long REAL_RUN_STEPS = 1500;

    private static final String REAL_SAMPLES = "'browser-real', 'samples'";

    @TempDir static Path brokerFolder;
    private static EmbeddedKafkaBroker broker;

    @TempDir Path profile;
    private ChromeDriver browser;

    @BeforeAll
    static void startBroker() throws IOException {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium"
                        + " chromium-driver)");
        broker = EmbeddedKafkaBroker.start(brokerFolder.resolve("kafka"));
        Files.createDirectories(ARTIFACTS);
    }

    @AfterAll
    static void stopBroker() throws IOException {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void openBrowser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                        .usingAnyFreePort()
                        .build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1300, 1500));
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theLossChartDrawsPointsFromTheTopicAndKeepsAddingNewOnes() throws Exception {
        String topic = metricsTopic("browser-live");
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> writeLive(topic, writing), "test-metrics-writer");
        writer.start();
        try (LiveMonitor monitor = serve(topic)) {
            browser.get(monitor.url().toString());

            long firstCount = await("points on the loss chart", page -> pointCount("losses"));
            long firstStep = number("return latentflowMonitor.lastStep()");
            await(
                    "twenty more steps drawn",
                    page ->
                            number("return latentflowMonitor.lastStep()") >= firstStep + 200
                                    ? 1L
                                    : 0L);
            long laterCount = pointCount("losses");

            assertTrue(
                    laterCount > firstCount,
                    "the loss chart had " + firstCount + " points, then " + laterCount);
            assertEquals(
                    "connected",
                    browser.findElement(By.id("status")).getDomAttribute("data-state"));
            assertTrue(pointCount("gradients") > 0, "the log-scale chart drew nothing");
            saveScreenshot("monitor-live.png");
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    @Test
    void aRecurrentRunsPageDrawsItsOwnChartsAndHidesTheAdversarialOnes() throws Exception {
        String topic = metricsTopic("browser-recurrent");
        List<SpecificRecord> records = new ArrayList<>();
        for (long step = 10; step <= 500; step += 10) {
            records.add(MetricsRecords.sequenceMetrics("urnn-page-run", step));
        }
        MetricsRecords.produceAny(broker.bootstrapServers(), topic, records);
        try (LiveMonitor monitor = serve(topic)) {
            browser.get(monitor.url().toString());

            long drawn =
                    await("points on the recurrent loss chart", page -> pointCount("sequenceLoss"));

            assertEquals(2 * 50, drawn, "loss and baseline at 50 steps");
            assertTrue(pointCount("unitarity") > 0, "the log-scale unitarity chart drew nothing");
            assertEquals(0, pointCount("losses"));
            assertFalse(
                    browser.findElement(By.id("chart-losses")).isDisplayed(),
                    "the adversarial loss chart must be hidden for a recurrent run");
            assertTrue(browser.findElement(By.id("chart-sequenceLoss")).isDisplayed());
            saveScreenshot("monitor-recurrent.png");
        }
    }

    @Test
    void theMonitorOfARealTrainingRunDrawsItsLossesAndGridsAsItTrains(@TempDir Path runDir)
            throws Exception {
        int port = freePort();
        StringWriter output = new StringWriter();
        CommandLine command = new CommandLine(new LatentFlowCommand());
        command.setOut(new PrintWriter(output));
        int[] exit = {-1};
        Thread training =
                new Thread(
                        () ->
                                exit[0] =
                                        command.execute(
                                                "train",
                                                "--monitor",
                                                "--monitor-port",
                                                Integer.toString(port),
                                                "--steps",
                                                Long.toString(REAL_RUN_STEPS),
                                                "--batch-size",
                                                "20",
                                                "--hidden-units",
                                                "64",
                                                "--latent-dim",
                                                "8",
                                                "--metrics-interval",
                                                "10",
                                                "--image-interval",
                                                "100",
                                                "--run-id",
                                                "browser-real",
                                                "--run-dir",
                                                runDir.toString()),
                        "test-train");
        training.start();
        try {
            awaitPage("http://127.0.0.1:" + port + "/", training);

            await("points of the run on the loss chart", page -> pointCount("losses"));
            long firstStep = number("return latentflowMonitor.lastStep()");
            await(
                    "the samples grid of the run",
                    page -> number("return latentflowMonitor.gridWidth(" + REAL_SAMPLES + ")"));
            await(
                    "a hundred more steps drawn",
                    page ->
                            number("return latentflowMonitor.lastStep()") >= firstStep + 100
                                    ? 1L
                                    : 0L);
            saveScreenshot("monitor-real-run.png");

            assertTrue(firstStep < REAL_RUN_STEPS, "the page first drew the finished run");
            assertEquals(
                    "connected",
                    browser.findElement(By.id("status")).getDomAttribute("data-state"));
            assertTrue(
                    number("return latentflowMonitor.gridWidth('browser-real', 'reconstructions')")
                            > 0,
                    "an ALI run publishes reconstructions beside its samples");
        } finally {
            training.join();
        }
        assertEquals(0, exit[0], output.toString());
    }

    @Test
    void aHundredThousandPointsFromTenRunsDrawQuickly() throws Exception {
        String topic = metricsTopic("browser-large");
        List<TrainingMetrics> records = new ArrayList<>();
        for (int run = 0; run < 10; run++) {
            for (long step = 1; step <= 10_000; step++) {
                records.add(MetricsRecords.metrics("run-" + run, "ali-mlp", step));
            }
        }
        MetricsRecords.produce(broker.bootstrapServers(), topic, records);

        try (LiveMonitor monitor = serve(topic)) {
            MonitorServerITCase.awaitTrue(() -> monitor.histories().sequence() == 100_000);
            long historyStart = System.nanoTime();
            HttpResponse<String> history =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(monitor.url().resolve("api/history"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            double historyMillis = (System.nanoTime() - historyStart) / 1e6;
            assertEquals(200, history.statusCode());

            browser.get(monitor.url().toString());
            await("the first drawing", page -> number("return latentflowMonitor.firstDrawMillis"));
            double firstDraw = decimal("return latentflowMonitor.firstDrawMillis");
            double drawAll = decimal("return latentflowMonitor.lastDrawMillis");
            long drawsBefore = number("return latentflowMonitor.draws");
            browser.executeScript(
                    "const slider = document.getElementById('smoothing');"
                            + " slider.value = '0.9';"
                            + " slider.dispatchEvent(new Event('input'));");
            await(
                    "a redraw with smoothing",
                    page -> number("return latentflowMonitor.draws") > drawsBefore ? 1L : 0L);
            double smoothedDraw = decimal("return latentflowMonitor.lastDrawMillis");
            saveScreenshot("monitor-100k.png");

            String report =
                    String.format(
                            Locale.ROOT,
                            "100,000 points from 10 runs: history JSON %d bytes in %.0f ms;"
                                    + " page load to charts drawn %.0f ms; drawing all charts"
                                    + " %.0f ms; redraw with EMA smoothing %.0f ms; %d runs,"
                                    + " %d points on the loss chart%n",
                            history.body().length(),
                            historyMillis,
                            firstDraw,
                            drawAll,
                            smoothedDraw,
                            number("return latentflowMonitor.runCount()"),
                            pointCount("losses"));
            Files.writeString(ARTIFACTS.resolve("responsiveness.txt"), report);
            LOG.info(report.strip());
            assertEquals(10, number("return latentflowMonitor.runCount()"));
            // Ten runs, two losses, at most 500 points a series.
            assertTrue(pointCount("losses") <= 10 * 2 * 500, "points " + pointCount("losses"));
            assertTrue(firstDraw < 10_000, "the page took " + firstDraw + " ms to draw");
            assertTrue(smoothedDraw < 1_000, "a redraw took " + smoothedDraw + " ms");
        }
    }

    @Test
    void theSampleGridsShowAndAreReplacedWhenANewOneArrives() throws Exception {
        TopicNames topics = TopicNames.withPrefix("browser-grids");
        TopicAdministration.ensureTopics(broker.bootstrapServers(), topics);
        List<TrainingMetrics> metrics = new ArrayList<>();
        for (long step = 1; step <= 20; step++) {
            metrics.add(MetricsRecords.metrics("ali-grids", "ali-mlp", step));
        }
        MetricsRecords.produce(broker.bootstrapServers(), topics.metrics(), metrics);
        IdxImages images = IdxImageSource.trainingSet(FashionMnist.DEFAULT_DIRECTORY).images();
        writeGrids(topics.images(), images, 10, 0);

        try (LiveMonitor monitor =
                LiveMonitor.serve(
                        new LiveMonitor.Source(
                                broker.bootstrapServers(),
                                topics.metrics(),
                                MetricsTopicFollower.Start.BEGINNING,
                                Map.of(),
                                Set.of(),
                                topics.images()),
                        InetAddress.getLoopbackAddress(),
                        0)) {
            browser.get(monitor.url().toString());
            long width = await("the samples grid loaded", page -> gridWidth("samples"));
            assertEquals(10 * (28 * 2 + 2) + 2, width);
            assertEquals(20 * (28 * 2 + 2) + 2, await("reconstructions", p -> gridWidth("recon")));
            assertEquals(10, number("return latentflowMonitor.gridStep('ali-grids', 'samples')"));

            // A later grid replaces the picture through the event stream, without a reload.
            browser.executeScript("window.notReloaded = true");
            writeGrids(topics.images(), images, 20, 100);
            await(
                    "the step-20 samples grid",
                    page ->
                            number("return latentflowMonitor.gridStep('ali-grids', 'samples')")
                                            == 20
                                    ? gridWidth("samples")
                                    : 0L);
            assertEquals(Boolean.TRUE, browser.executeScript("return window.notReloaded"));
            String caption = browser.findElement(By.cssSelector(".run-grids figcaption")).getText();
            assertTrue(caption.contains("after step 20"), caption);
            await("points on the loss chart", page -> pointCount("losses"));
            saveScreenshot("monitor-grids.png");
        }
    }

    /** The natural width of the page's grid of run ali-grids, 0 until it has loaded. */
    private long gridWidth(String kind) {
        String name = kind.equals("recon") ? "reconstructions" : kind;
        return number("return latentflowMonitor.gridWidth('ali-grids', '" + name + "')");
    }

    /**
     * Writes a samples grid and a reconstructions grid as the trainer would, drawn from real
     * Fashion-MNIST images starting at {@code first}: the samples grid shows 100 of them, the
     * reconstructions grid 20 of them each beside itself. They stand in for a model's pictures.
     */
    private static void writeGrids(String topic, IdxImages images, long step, int first)
            throws IOException {
        List<float[]> tiles = new ArrayList<>();
        for (int i = first; i < first + 100; i++) {
            tiles.add(images.image(i));
        }
        BufferedImage samples = ImageGrid.compose(tiles, 28, 28, 10, 2, 2);
        BufferedImage pairs =
                ImageGrid.composePairs(
                        tiles.subList(0, 20), tiles.subList(0, 20), 28, 28, 10, 2, 2);
        AvroWireFormat<SampleGrid> format = AvroWireFormat.sampleGrids();
        try (var producer = MetricsRecords.producer(broker.bootstrapServers())) {
            for (SampleGrid grid :
                    List.of(
                            grid(GridKind.SAMPLES, step, samples, 100, 10),
                            grid(GridKind.RECONSTRUCTIONS, step, pairs, 20, 20))) {
                producer.send(
                        new ProducerRecord<>(topic, "ali-grids".getBytes(), format.encode(grid)));
            }
            producer.flush();
        }
    }

    private static SampleGrid grid(
            GridKind kind, long step, BufferedImage image, int count, int columns)
            throws IOException {
        return SampleGrid.newBuilder()
                .setRunId("ali-grids")
                .setModel("ali-mlp")
                .setSeed(1)
                .setStep(step)
                .setKind(kind)
                .setCodeSeed(0)
                .setFirstSequence(kind == GridKind.SAMPLES ? -1 : 0)
                .setImages(count)
                .setTileHeight(28)
                .setTileWidth(28)
                .setRows(image.getHeight() / (28 * 2 + 2))
                .setColumns(columns)
                .setPadding(2)
                .setScale(2)
                .setPixelHeight(image.getHeight())
                .setPixelWidth(image.getWidth())
                .setPng(ByteBuffer.wrap(PngFile.bytes(image)))
                .setParameterHash("fixture")
                .setConfiguration(Map.of())
                .setDataOffset(step * 20)
                .setLatentOffset(step * 20)
                .build();
    }

    private void writeLive(String topic, AtomicBoolean writing) {
        try (var producer = MetricsRecords.producer(broker.bootstrapServers())) {
            var format = AvroWireFormat.trainingMetrics();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            for (long step = 10; writing.get() && System.nanoTime() < deadline; step += 10) {
                for (String run : List.of("ali-live", "gan-live")) {
                    TrainingMetrics metrics =
                            MetricsRecords.metrics(
                                    run, run.startsWith("ali") ? "ali-mlp" : "gan-mlp", step);
                    producer.send(
                            new ProducerRecord<>(topic, run.getBytes(), format.encode(metrics)));
                }
                producer.flush();
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Opens {@code url} once the run's monitor answers there, failing if the run ends first. */
    private void awaitPage(String url, Thread training) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url + "api/status")).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline && training.isAlive()) {
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    browser.get(url);
                    return;
                }
            } catch (IOException notYet) {
                // The monitor starts after the embedded broker; keep asking.
            }
            Thread.sleep(100);
        }
        throw new AssertionError("The monitor never answered at " + url);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String metricsTopic(String prefix) {
        TopicNames topics = TopicNames.withPrefix(prefix);
        TopicAdministration.ensureTopics(broker.bootstrapServers(), topics);
        return topics.metrics();
    }

    private static LiveMonitor serve(String topic) throws IOException {
        return LiveMonitor.serve(
                new LiveMonitor.Source(
                        broker.bootstrapServers(),
                        topic,
                        MetricsTopicFollower.Start.BEGINNING,
                        Map.of(),
                        Set.of()),
                InetAddress.getLoopbackAddress(),
                0);
    }

    private long pointCount(String chart) {
        return number("return latentflowMonitor.pointCount('" + chart + "')");
    }

    private long number(String script) {
        Object value = ((JavascriptExecutor) browser).executeScript(script);
        return value == null ? 0 : ((Number) value).longValue();
    }

    private double decimal(String script) {
        return ((Number) ((JavascriptExecutor) browser).executeScript(script)).doubleValue();
    }

    /** Waits up to 60 s until {@code condition} gives a positive number, and returns it. */
    private long await(String what, Function<ChromeDriver, Long> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Long value = condition.apply(browser);
            if (value != null && value > 0) {
                return value;
            }
            Thread.sleep(100);
        }
        saveScreenshot("timeout.png");
        throw new AssertionError("Waited 60 s for " + what);
    }

    private void saveScreenshot(String name) {
        try {
            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), ARTIFACTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("Could not save the screenshot {}: {}", name, e.getMessage());
        }
    }
}
