package io.latentflow.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.job.operators.RecurrentModelKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A user's mistakes end in one line that names the problem, before anything is started. */
class CommandLineErrorsTest {

    @TempDir Path folder;

    private final StringWriter errors = new StringWriter();

    private int run(String... args) {
        CommandLine command = LatentFlowCommand.commandLine();
        command.setErr(new PrintWriter(errors));
        command.setOut(new PrintWriter(new StringWriter()));
        return command.execute(args);
    }

    @Test
    void missingDatasetIsOneLineNamingThePathAndNoRunFolderIsLeft() {
        Path runDir = folder.resolve("run");

        int exit =
                run(
                        "train",
                        "--steps",
                        "5",
                        "--run-dir",
                        runDir.toString(),
                        "--dataset-path",
                        folder.resolve("nowhere").toString());

        assertEquals(1, exit);
        String message = errors.toString().strip();
        assertTrue(message.startsWith("latentflow train: "), message);
        assertTrue(message.contains(folder.resolve("nowhere").toString()), message);
        assertFalse(message.contains("\n"), "more than one line: " + message);
        assertFalse(Files.exists(runDir));
    }

    @Test
    void aMalformedOptionValueIsOneLineAndAPointerToHelpNotTheWholeUsage() {
        int exit = run("train", "--batch-size", "abc");

        assertEquals(2, exit);
        String[] lines = errors.toString().strip().split("\\R");
        assertEquals(2, lines.length, errors.toString());
        assertTrue(lines[0].startsWith("latentflow train: "), lines[0]);
        assertTrue(lines[0].contains("--batch-size"), lines[0]);
        assertEquals("Try 'latentflow train --help'.", lines[1]);
    }

    @Test
    void aMissingRequiredOptionIsOneLineNamingIt() {
        int exit = run("diagnose");

        assertEquals(2, exit);
        String[] lines = errors.toString().strip().split("\\R");
        assertEquals(2, lines.length, errors.toString());
        assertTrue(lines[0].contains("--snapshot"), lines[0]);
    }

    @Test
    void outOfRangeValuesNameTheirOptionBeforeAnythingStarts() {
        Path runDir = folder.resolve("run");
        String[][] mistakes = {
            {"--learning-rate", "-1"},
            {"--hidden-units", "0"},
            {"--latent-dim", "0"},
            {"--instance-noise", "-0.1"},
            {"--parallelism", "0"},
            {"--monitor-port", "70000"},
        };
        for (String[] mistake : mistakes) {
            errors.getBuffer().setLength(0);

            int exit = run("train", mistake[0], mistake[1], "--run-dir", runDir.toString());

            String message = errors.toString().strip();
            assertEquals(1, exit, message);
            assertTrue(message.startsWith("latentflow train: " + mistake[0] + " "), message);
            assertFalse(message.contains("\n"), "more than one line: " + message);
            assertFalse(Files.exists(runDir), "a run folder was made for " + mistake[0]);
        }
    }

    @Test
    void optionsThatOnlyApplyWithAnotherAreRefusedWithoutIt() {
        String[][] cases = {
            {"--task", "adding", "--task needs --model urnn or lstm"},
            {"--task-length", "50", "--task-length needs --model urnn or lstm"},
            {"--threads", "2", "--threads needs --model urnn"},
            {
                "--model",
                "lstm",
                "--threads",
                "2",
                "--threads needs --model urnn; the LSTM runs on one thread"
            },
            {"--model", "urnn", "--threads", "0", "--threads must be at least 1, was 0"},
            {
                "--model",
                "lstm",
                "--task",
                "copying",
                "--permutation-seed",
                "3",
                "--permutation-seed needs --task permuted-pixel"
            },
            {
                "--model",
                "lstm",
                "--task",
                "adding",
                "--test-interval",
                "3",
                "--test-interval needs a pixel task"
            },
            {
                "--model",
                "lstm",
                "--task",
                "pixel",
                "--task-length",
                "100",
                "--task pixel has 784 steps; --task-length 100"
            },
            {
                "--model",
                "urnn",
                "--optimizer",
                "sgd",
                "--optimizer must be rmsprop, adam, hf, gauss-newton or sfhf for --model urnn,"
                        + " was sgd"
            },
            {"--stop-at-step", "5", "--stop-at-step needs --continuous"},
            {
                "--model",
                "urnn",
                "--task",
                "sorting",
                "--task must be copying, adding, pixel or permuted-pixel, was sorting"
            },
            {"--model", "urnn", "--task-length", "1", "--task-length must be at least 2, was 1"},
            {
                "--model",
                "rnn",
                "unknown model rnn; expected ali, gan, urnn, lstm, autoencoder, ali-mlp or gan-mlp"
            },
            {
                "--optimizer",
                "sgd",
                "--optimizer must be adam, hf, gauss-newton or sfhf for --model ali, was sgd"
            },
            {
                "--model",
                "urnn",
                "--optimizer",
                "rmsprop",
                "--damping",
                "2",
                "--damping needs a Hessian-free --optimizer: hf, gauss-newton or sfhf"
            },
            {
                "--model",
                "urnn",
                "--optimizer",
                "sfhf",
                "--batch-size",
                "20",
                "--batch-size is for rmsprop and adam; a Hessian-free step takes --gradient-batch"
                        + " sequences"
            },
            {
                "--model",
                "urnn",
                "--optimizer",
                "sfhf",
                "--learning-rate",
                "0.01",
                "--learning-rate is for rmsprop and adam; a Hessian-free step has no learning"
                        + " rate"
            },
            {
                "--model",
                "urnn",
                "--optimizer",
                "gauss-newton",
                "--gradient-clip",
                "1",
                "--gradient-clip is for rmsprop and adam; a Hessian-free step is not clipped"
            },
            {
                "--model",
                "urnn",
                "--optimizer",
                "hf",
                "--gradient-batch",
                "50",
                "--curvature-batch",
                "60",
                "--curvature-batch must be 1 to --gradient-batch (50), was 60"
            },
            {
                "--curvature-batch",
                "10",
                "--curvature-batch needs a Hessian-free --optimizer: hf, gauss-newton or sfhf"
            },
            {
                "--model",
                "autoencoder",
                "--optimizer",
                "adam",
                "--momentum",
                "0.5",
                "--momentum needs --optimizer sgd"
            },
            {
                "--model",
                "autoencoder",
                "--optimizer",
                "sgd",
                "--gradient-batch",
                "600",
                "--gradient-batch needs a Hessian-free --optimizer: hf, gauss-newton or sfhf"
            },
            {
                "--model",
                "autoencoder",
                "--optimizer",
                "lbfgs",
                "--optimizer must be one of sgd, adam, rmsprop, hf, gauss-newton, sfhf, was lbfgs"
            },
            {
                "--model",
                "autoencoder",
                "--layers",
                "1000,x",
                "--layers must be positive widths separated by commas, as 1000,500,250,30; was"
                        + " 1000,x"
            },
            {
                "--model",
                "autoencoder",
                "--gradient-batch",
                "100",
                "--curvature-batch",
                "200",
                "--curvature-batch must be 1 to --gradient-batch (100), was 200"
            },
            {
                "--model",
                "autoencoder",
                "--optimizer",
                "sfhf",
                "--batch-size",
                "50",
                "--batch-size is for sgd, adam and rmsprop; a Hessian-free step takes"
                        + " --gradient-batch examples"
            },
            {
                "--model",
                "autoencoder",
                "--learning-rate",
                "0.1",
                "--learning-rate is for sgd, adam and rmsprop; a Hessian-free step has no"
                        + " learning rate"
            },
            {
                "--model",
                "autoencoder",
                "--generator-cost",
                "minimax",
                "--generator-cost needs --model ali or gan"
            },
            {
                "--model",
                "urnn",
                "--instance-noise",
                "0.1",
                "--instance-noise needs --model ali or gan"
            },
            {"--model", "lstm", "--latent-dim", "8", "--latent-dim needs --model ali or gan"},
        };
        assertEachRefused(cases);
    }

    /** Runs train with each case's options and expects its last entry as the one-line error. */
    private void assertEachRefused(String[][] cases) {
        for (String[] option : cases) {
            errors.getBuffer().setLength(0);
            String[] args = new String[option.length];
            args[0] = "train";
            System.arraycopy(option, 0, args, 1, option.length - 1);

            int exit = run(args);

            String message = errors.toString().strip();
            assertEquals(1, exit, message);
            assertEquals("latentflow train: " + option[option.length - 1], message);
        }
    }

    @Test
    void bothRecurrentModelsHaveTheCurvatureProductsTheHessianFreeOptimizersNeed() {
        // TrainingOptions refuses sfhf, hf and gauss-newton for a model without them; no model is
        // such a model now, so this guards that each one keeps them.
        for (RecurrentModelKind kind : RecurrentModelKind.values()) {
            assertTrue(kind.hasCurvature(), kind.optionName());
        }
    }

    @Test
    void hessianFreeOptionsOfAliAndTheGanAreRefusedWhereTheyDoNotApply() {
        assertEachRefused(
                new String[][] {
                    {
                        "--model",
                        "gan",
                        "--optimizer",
                        "rmsprop",
                        "--optimizer must be adam, hf, gauss-newton or sfhf for --model gan, was"
                                + " rmsprop"
                    },
                    {
                        "--model",
                        "gan",
                        "--damping",
                        "0.5",
                        "--damping needs a Hessian-free --optimizer: hf, gauss-newton or sfhf"
                    },
                    {
                        "--model",
                        "ali",
                        "--optimizer",
                        "adam",
                        "--max-inner-iterations",
                        "5",
                        "--max-inner-iterations needs a Hessian-free --optimizer: hf,"
                                + " gauss-newton or sfhf"
                    },
                    {
                        "--model",
                        "gan",
                        "--optimizer",
                        "sfhf",
                        "--momentum",
                        "0.5",
                        "--momentum needs --model autoencoder"
                    },
                    {
                        "--model",
                        "ali",
                        "--optimizer",
                        "sfhf",
                        "--gradient-batch",
                        "50",
                        "--gradient-batch needs --model autoencoder, urnn or lstm"
                    },
                    {
                        "--model",
                        "gan",
                        "--optimizer",
                        "hf",
                        "--curvature-batch",
                        "200",
                        "--curvature-batch must be 1 to --batch-size (100), was 200"
                    },
                    {
                        "--model",
                        "gan",
                        "--optimizer",
                        "sfhf",
                        "--damping",
                        "0",
                        "--damping must be positive, was 0.0"
                    },
                    {
                        "--model",
                        "ali",
                        "--optimizer",
                        "gauss-newton",
                        "--max-inner-iterations",
                        "0",
                        "--max-inner-iterations must be at least 1, was 0"
                    },
                });
    }

    @Test
    void aRunFolderThatHoldsAFinishedRunIsNotTrainedIntoAgain() throws Exception {
        Path runDir = folder.resolve("run");
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("manifest.json"), "{}");

        int exit = run("train", "--steps", "5", "--run-dir", runDir.toString());

        assertEquals(1, exit);
        String message = errors.toString().strip();
        assertTrue(message.contains("already holds a run"), message);
        assertTrue(message.contains(runDir.toString()), message);
    }

    @Test
    void aReplayUnderTheRecordedRunsIdOrIntoAFinishedRunsFolderIsRefused() throws Exception {
        Path manifest = Files.writeString(folder.resolve("r1.json"), RunManifestTest.MANIFEST);
        Path finished = folder.resolve("finished");
        Files.createDirectories(finished);
        Files.writeString(finished.resolve("manifest.json"), "{}");

        int sameId = run("replay", "--manifest", manifest.toString(), "--run-id", "r1");
        String idMessage = errors.toString().strip();
        errors.getBuffer().setLength(0);
        int sameFolder =
                run("replay", "--manifest", manifest.toString(), "--run-dir", finished.toString());
        String folderMessage = errors.toString().strip();

        assertEquals(1, sameId);
        assertTrue(idMessage.contains("--run-id r1 is the recorded run's own id"), idMessage);
        assertEquals(1, sameFolder);
        assertTrue(folderMessage.contains("already holds a run"), folderMessage);
        assertTrue(folderMessage.contains(finished.toString()), folderMessage);
    }

    @Test
    void anAutoencoderRunFolderIsNotTrainedOrReplayedIntoAgain() throws Exception {
        Path runDir = folder.resolve("autoencoder");
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("run.json"), "{}");
        Path manifest = Files.writeString(folder.resolve("r1.json"), RunManifestTest.MANIFEST);

        int trained =
                run(
                        "train",
                        "--model",
                        "autoencoder",
                        "--optimizer",
                        "adam",
                        "--steps",
                        "10",
                        "--evaluation-examples",
                        "100",
                        "--run-dir",
                        runDir.toString());
        String trainMessage = errors.toString().strip();
        errors.getBuffer().setLength(0);
        int replayed =
                run("replay", "--manifest", manifest.toString(), "--run-dir", runDir.toString());
        String replayMessage = errors.toString().strip();

        assertEquals(1, trained);
        assertTrue(trainMessage.contains("already holds a run (its run.json)"), trainMessage);
        assertEquals(1, replayed);
        assertTrue(replayMessage.contains("already holds a run (its run.json)"), replayMessage);
    }

    @Test
    void aRecurrentRunsManifestIsRefusedByReplayNamingItsModel() throws Exception {
        Path manifest =
                Files.writeString(
                        folder.resolve("urnn.json"), "{\"runId\": \"u1\", \"model\": \"urnn\"}");

        int exit = run("replay", "--manifest", manifest.toString());

        assertEquals(1, exit);
        String message = errors.toString().strip();
        assertTrue(
                message.contains("is the record of a urnn run; replay reruns ALI and GAN runs"),
                message);
    }

    @Test
    void generateAndEncodeNeedExactlyOneSourceOfTheirSnapshot() throws Exception {
        Path file = Files.write(folder.resolve("step-00000010.avro"), new byte[] {1});

        int neither = run("generate");
        String neitherMessage = errors.toString().strip();
        errors.getBuffer().setLength(0);
        int both = run("encode", "--snapshot", file.toString(), "--run-id", "r1");
        String bothMessage = errors.toString().strip();
        errors.getBuffer().setLength(0);
        int stepOfAFile = run("generate", "--snapshot", file.toString(), "--step", "10");
        String stepMessage = errors.toString().strip();

        assertEquals(1, neither);
        assertTrue(neitherMessage.contains("name the model to load: --snapshot"), neitherMessage);
        assertEquals(1, both);
        assertTrue(bothMessage.contains("not both"), bothMessage);
        assertEquals(1, stepOfAFile);
        assertTrue(stepMessage.contains("is a file"), stepMessage);
    }

    @Test
    void aMissingSnapshotForDiagnoseIsOneLineNamingThePathAndNoOutputFolderIsLeft() {
        Path snapshot = folder.resolve("no-such-snapshot.avro");
        Path out = folder.resolve("probe");

        int exit = run("diagnose", "--snapshot", snapshot.toString(), "--out", out.toString());

        assertEquals(1, exit);
        String message = errors.toString().strip();
        assertTrue(message.startsWith("latentflow diagnose: "), message);
        assertTrue(message.contains("no model snapshot at " + snapshot), message);
        assertFalse(message.contains("\n"), "more than one line: " + message);
        assertFalse(Files.exists(out));
    }

    @Test
    void aRunFolderWithoutStepsForDiagnoseIsRefusedListingTheStepsItHolds() throws Exception {
        Path runFolder = folder.resolve("run");
        Files.createDirectories(runFolder.resolve("snapshots"));
        Files.write(SnapshotFiles.fileOf(runFolder.resolve("snapshots"), 600), new byte[] {1});
        Files.write(SnapshotFiles.fileOf(runFolder.resolve("snapshots"), 1200), new byte[] {1});

        int exit = run("diagnose", "--snapshot", runFolder.toString());

        assertEquals(1, exit);
        assertTrue(
                errors.toString()
                        .contains(
                                "name the snapshots to probe with --step (it holds"
                                        + " steps 600, 1200)"),
                errors.toString());
    }

    @Test
    void zeroStepsForTrainIsRefusedBeforeAnythingStarts() {
        int exit = run("train", "--steps", "0", "--run-dir", folder.resolve("run").toString());

        assertEquals(1, exit);
        assertTrue(
                errors.toString().contains("--steps must be at least 1, was 0"), errors.toString());
    }

    @Test
    void badBatchSizeIsRefusedWithTheValue() {
        int exit = run("produce", "--bootstrap-servers", "127.0.0.1:1", "--batch-size", "0");

        assertEquals(1, exit);
        assertTrue(
                errors.toString().contains("--batch-size must be at least 1, was 0"),
                errors.toString());
    }

    @Test
    void unknownModelsCostsAndSchedulesAndNoiseOnAGansCodeAreRefusedByName() {
        String[][] cases = {
            {"--model", "vae", "unknown model vae"},
            {"--generator-cost", "wasserstein", "unknown generator cost wasserstein"},
            {"--noise-schedule", "cosine", "unknown noise schedule cosine"},
            {"--instance-noise", "-1", "--instance-noise must be 0 or more, was -1.0"},
            {"--model", "gan", "--noise-on-code", "--noise-on-code needs --model ali"}
        };
        for (String[] option : cases) {
            errors.getBuffer().setLength(0);
            String[] args = new String[option.length + 1];
            args[0] = "train";
            args[1] = "--dataset-path=" + folder;
            System.arraycopy(option, 0, args, 2, option.length - 1);
            int exit = run(args);

            assertEquals(1, exit, String.join(" ", option));
            String expected = option[option.length - 1];
            assertTrue(errors.toString().contains(expected), errors.toString());
            assertFalse(errors.toString().strip().contains("\n"), errors.toString());
        }
    }

    @Test
    void causesAreJoinedOnlyWhereTheyAddSomething() {
        Exception failure =
                new IllegalStateException("writing failed", new java.io.IOException("disk full"));

        assertEquals("writing failed: disk full", LatentFlowCommand.describe(failure));
        assertEquals(
                "disk full",
                LatentFlowCommand.describe(
                        new RuntimeException("disk full", new java.io.IOException("disk full"))));
    }
}
