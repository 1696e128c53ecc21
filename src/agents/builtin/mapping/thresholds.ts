// The mapping agent's fixed thresholds, in one place so their calibration can be read together.

/** Candidates below this are not worth a reviewer's time as options. */
export const OPTION_FLOOR = 0.5;

/** At most this many candidates are offered in one decision. */
export const MAX_OPTIONS = 3;
