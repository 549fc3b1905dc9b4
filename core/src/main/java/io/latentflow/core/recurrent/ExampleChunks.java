package io.latentflow.core.recurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Runs work over a batch's examples in contiguous chunks, one per thread: the calling thread takes
 * the first chunk and {@link ForkJoinPool#commonPool()} the others, and the call returns when all
 * are done. Meant for recurrences whose examples never meet: each example's rows through time are
 * independent of the other examples', so chunks may run in any order as long as each writes only
 * its own examples' rows.
 */
final class ExampleChunks {
    /** The work on examples [from, to), with the chunk's index for per-thread scratch. */
    @FunctionalInterface
    interface Body {
        void run(int chunk, int from, int to);
    }

    private ExampleChunks() {}

    /** Returns how many chunks {@link #run} makes: no more than examples, at least one. */
    static int count(int threads, int examples) {
        return Math.max(1, Math.min(threads, examples));
    }

    /**
     * Runs {@code body} on {@link #count} contiguous chunks of [0, examples), the first in this
     * thread, and returns after every chunk has finished, rethrowing the first failure with the
     * others suppressed into it.
     */
    static void run(int threads, int examples, Body body) {
        int chunks = count(threads, examples);
        if (chunks == 1) {
            body.run(0, 0, examples);
            return;
        }
        List<ForkJoinTask<?>> forked = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int chunk = c;
            int from = start(c, chunks, examples);
            int to = start(c + 1, chunks, examples);
            forked.add(ForkJoinPool.commonPool().submit(() -> body.run(chunk, from, to)));
        }
        RuntimeException failure = null;
        try {
            body.run(0, 0, start(1, chunks, examples));
        } catch (RuntimeException e) {
            failure = e;
        }
        // Every chunk must have stopped writing before this returns, failed or not.
        for (ForkJoinTask<?> task : forked) {
            try {
                task.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static int start(int chunk, int chunks, int examples) {
        return (int) ((long) chunk * examples / chunks);
    }
}
