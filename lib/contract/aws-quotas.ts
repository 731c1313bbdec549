/**
 * Step Functions' quotas that the compiler checks and the local engine enforces, in one place
 * (Developer Guide, "Step Functions service quotas"; "Intrinsic functions"; the API reference's field lengths).
 */

/** A state's input or output, a Task's parameters or result, an execution's input: 256 KiB of UTF-8. */
export const PAYLOAD_LIMIT_BYTES = 262_144;
/** Events in one execution's history. */
export const HISTORY_EVENT_LIMIT = 25_000;
/** A Fail state's Cause (FailStateEnteredEventDetails). */
export const MAX_FAIL_CAUSE_CHARS = 32_768;
/** Intrinsic functions nested in one field. */
export const MAX_INTRINSIC_NESTING = 10;
/** A state's name. */
export const MAX_STATE_NAME_CHARS = 80;
