// Waiting on child processes: the demo's server and initdb, which it stops itself.

import type { ChildProcess } from 'node:child_process';

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once the process has exited (at once if it has), or failed to start at all. */
export function waitForExit(child: ChildProcess): Promise<{ code: number | null; error?: Error }> {
  if (hasExited(child)) return Promise.resolve({ code: child.exitCode });
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve({ code }));
    child.once('error', (error) => resolve({ code: null, error }));
  });
}

/** True when the process exited within `ms`. */
export async function exitWithin(child: ChildProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([waitForExit(child).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a process (not necessarily a child of this one) still exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
