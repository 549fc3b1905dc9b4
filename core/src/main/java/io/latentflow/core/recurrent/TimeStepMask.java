package io.latentflow.core.recurrent;

import java.util.Arrays;

/** Which time steps of a sequence a {@link SequenceLoss} counts. */
public final class TimeStepMask {
    private TimeStepMask() {}

    /** Returns a mask of T steps, all counted. */
    public static boolean[] allSteps(int timeSteps) {
        boolean[] mask = new boolean[timeSteps];
        Arrays.fill(mask, true);
        return mask;
    }

    /** Returns a mask of T steps in which only the last one counts. */
    public static boolean[] lastStep(int timeSteps) {
        boolean[] mask = new boolean[timeSteps];
        mask[timeSteps - 1] = true;
        return mask;
    }

    static int countAndCheck(boolean[] mask, int timeSteps) {
        if (mask.length != timeSteps) {
            throw new IllegalArgumentException(
                    "the mask has " + mask.length + " steps, the outputs " + timeSteps);
        }
        int count = 0;
        for (boolean counted : mask) {
            if (counted) {
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("the mask must count at least one step");
        }
        return count;
    }
}
