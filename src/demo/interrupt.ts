// Ctrl-C (and the other signals that end a program) during the demo: the server is stopped and its
// files removed before ferry exits, with the shell's code for the signal (130 for Ctrl-C).

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

type HandledSignal = keyof typeof SIGNALS;

export interface InterruptGuard {
  /** True once a signal arrived: what fails after it is the cleanup's doing, not worth reporting. */
  readonly interrupted: boolean;
  /** Restores the default handling. */
  dispose(): void;
}

/**
 * On the first signal, says so, runs `cleanup` and exits 128 + the signal's number; further signals
 * while it runs are ignored, so a second Ctrl-C cannot leave the server behind.
 */
export function guardInterrupts(options: {
  readonly cleanup: () => Promise<void>;
  readonly notice: (signal: HandledSignal) => void;
}): InterruptGuard {
  let interrupted = false;
  const handlers = (Object.keys(SIGNALS) as HandledSignal[]).map((signal) => {
    const handler = () => {
      if (interrupted) return;
      interrupted = true;
      options.notice(signal);
      void options
        .cleanup()
        .catch(() => {})
        .finally(() => process.exit(128 + SIGNALS[signal]));
    };
    process.on(signal, handler);
    return { signal, handler };
  });
  return {
    get interrupted() {
      return interrupted;
    },
    dispose: () => {
      for (const { signal, handler } of handlers) process.off(signal, handler);
    },
  };
}
