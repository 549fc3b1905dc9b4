package io.latentflow.core.model;

/** How the level of {@link InstanceNoise} changes over training. */
public enum NoiseSchedule {
    /** sigma(t) = sigma0 for every step. */
    CONSTANT("constant"),

    /** sigma(t) = sigma0 (1 - t / T) until step T, then 0. */
    LINEAR("linear"),

    /**
     * sigma(t) = sigma0 (exp(-5 t / T) - exp(-5)) / (1 - exp(-5)) until step T, then 0: an
     * exponential decay, shifted so that it reaches exactly 0 at step T instead of never.
     */
    EXPONENTIAL("exponential");

    /**
     * The decay rate of {@link #EXPONENTIAL}: e^-5, under 1 %, is left at step T and shifted off.
     */
    static final double EXPONENTIAL_RATE = 5;

    private final String optionName;

    NoiseSchedule(String optionName) {
        this.optionName = optionName;
    }

    /** Returns the name used on the command line and in records. */
    public String optionName() {
        return optionName;
    }

    /** Returns the schedule named by {@link #optionName()} or by its constant's name. */
    public static NoiseSchedule parse(String name) {
        for (NoiseSchedule schedule : values()) {
            if (schedule.optionName.equals(name) || schedule.name().equalsIgnoreCase(name)) {
                return schedule;
            }
        }
        throw new IllegalArgumentException(
                "unknown noise schedule " + name + "; expected constant, linear or exponential");
    }

    /**
     * Returns the fraction of the initial level in force at step t of an annealing over T steps.
     *
     * @param step the number of updates made before the one the level is for, from 0
     * @param annealSteps T, at least 1 for the annealing schedules
     */
    double fraction(long step, long annealSteps) {
        return switch (this) {
            case CONSTANT -> 1;
            case LINEAR -> step >= annealSteps ? 0 : 1 - step / (double) annealSteps;
            case EXPONENTIAL -> {
                if (step >= annealSteps) {
                    yield 0;
                }
                double floor = Math.exp(-EXPONENTIAL_RATE);
                yield (Math.exp(-EXPONENTIAL_RATE * step / annealSteps) - floor) / (1 - floor);
            }
        };
    }
}
