// Where evidence stops being noise, an option, or a clear winner: the thresholds every decision of the
// mapping agent turns on, side by side so their calibration reads as one. (The project's own threshold,
// minConfidence, comes with each request.)

/** Below this a source column is not a candidate at all. */
export const CANDIDATE_FLOOR = 0.3;

/** Candidates below this are not worth a reviewer's time as options. */
export const OPTION_FLOOR = 0.5;

/** At most this many candidates are offered in one decision. */
export const MAX_OPTIONS = 3;

/** Two candidates closer than this are a tie: a person picks. */
export const AMBIGUITY_MARGIN = 0.1;

/** Only a name this good (the same, or the same apart from case) shares its source column. */
export const SHARED_SOURCE_SCORE = 0.95;

/** Names this good that meet types without a plain conversion still deserve a question. */
export const ASK_FOR_CAST_SCORE = 0.8;
