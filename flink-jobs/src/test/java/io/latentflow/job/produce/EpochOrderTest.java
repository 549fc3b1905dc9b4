package io.latentflow.job.produce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EpochOrderTest {

    private static final int SIZE = 1_000;

    @Test
    void everyEpochVisitsEveryIndexExactlyOnce() {
        EpochOrder order = new EpochOrder(42, SIZE);

        for (int epoch = 0; epoch < 5; epoch++) {
            int[] visits = new int[SIZE];
            for (int position = 0; position < SIZE; position++) {
                visits[order.indexAt((long) epoch * SIZE + position)]++;
            }
            int[] once = new int[SIZE];
            Arrays.fill(once, 1);
            assertArrayEquals(once, visits, "epoch " + epoch);
        }
    }

    @Test
    void theSameSeedGivesTheSameOrder() {
        EpochOrder first = new EpochOrder(42, SIZE);
        EpochOrder second = new EpochOrder(42, SIZE);

        for (long sequence = 0; sequence < 3L * SIZE; sequence++) {
            assertEquals(first.indexAt(sequence), second.indexAt(sequence), "sequence " + sequence);
        }
    }

    @Test
    void anotherSeedOrAnotherEpochGivesAnotherPermutation() {
        int[] epochZero = EpochOrder.permutation(42, 0, SIZE);

        assertFalse(Arrays.equals(epochZero, EpochOrder.permutation(42, 1, SIZE)));
        assertFalse(Arrays.equals(epochZero, EpochOrder.permutation(43, 0, SIZE)));
        assertFalse(Arrays.equals(epochZero, identity(SIZE)));
    }

    @Test
    void anOrderEnteredMidStreamAgreesWithOneReadFromTheStart() {
        EpochOrder fromStart = new EpochOrder(7, SIZE);
        for (long sequence = 0; sequence < 2_500; sequence++) {
            fromStart.indexAt(sequence);
        }
        EpochOrder midStream = new EpochOrder(7, SIZE);

        for (long sequence = 2_500; sequence < 3_200; sequence++) {
            assertEquals(fromStart.indexAt(sequence), midStream.indexAt(sequence));
        }
    }

    @Test
    void aStreamEpochIsTheStaticPermutation() {
        EpochOrder order = new EpochOrder(11, 10);
        int[] epochTwo = EpochOrder.permutation(11, 2, 10);

        for (int position = 0; position < 10; position++) {
            assertEquals(epochTwo[position], order.indexAt(20 + position));
        }
    }

    private static int[] identity(int size) {
        int[] indices = new int[size];
        Arrays.setAll(indices, i -> i);
        return indices;
    }
}
