// Exit codes are part of ferry's interface (scripts and CI branch on them); never renumber.

export const ExitCode = {
  /** Success; nothing to report. */
  ok: 0,
  /** An error: invalid specs, a failed check, a connection problem, a bug. */
  error: 1,
  /** Success, and there are changes, drift or pending decisions (like `terraform plan -detailed-exitcode`). */
  changes: 2,
  /** A migration paused on a constraint violation; fix the spec or data and run apply again to resume. */
  paused: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
