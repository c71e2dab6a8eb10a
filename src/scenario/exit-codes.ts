/**
 * Exit codes of `sphere test` and of `sphere app run --expect-text` (docs/scenarios.md). Kept apart from the
 * runner so a command can use them without loading the simulator.
 */
export const EXIT_PASSED = 0
/** A failed expectation (or a scenario that could not run). */
export const EXIT_FAILED = 1
/** A wait ran out of (virtual) time, or the run out of wall-clock time; Wokwi's CLI uses the same code. */
export const EXIT_TIMEOUT = 42
