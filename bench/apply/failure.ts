// The one way the apply benchmark gives up: a run failed, a target does not match its source, or the
// setup is wrong. It exits 1 with the message and the details, never with a stack trace.

export class BenchmarkFailure extends Error {
  constructor(
    message: string,
    readonly details = '',
  ) {
    super(message);
  }
}
