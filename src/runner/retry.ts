// Connection loss (a restarted server, a failover, a terminated backend, a network cut) and
// serialization failures are not the data's fault: the work is retried on new connections after a
// growing pause. Nothing is lost or doubled by that, because a batch's rows and its completion commit
// together: a batch whose transaction broke is simply loaded again.

/** Pauses before the 1st, 2nd, … retry; after the last one the error goes to the caller. */
export const RETRY_DELAYS_MS: readonly number[] = [250, 1000, 2000, 4000, 8000];

/** SQLSTATEs of a lost or refused connection (class 08, shutdowns) and of transactions to retry. */
const RETRYABLE_SQLSTATES = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  '57P01', // admin_shutdown, also pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

const RETRYABLE_ERRNOS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  // The MySQL driver's words for a server that closed the connection or went away.
  'PROTOCOL_CONNECTION_LOST',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

/**
 * True for an error that a new connection can cure.
 *
 * @example
 * isConnectionLoss(Object.assign(new Error('terminating connection'), { code: '57P01' })); // → true
 */
export function isConnectionLoss(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (RETRYABLE_SQLSTATES.has(code) || RETRYABLE_ERRNOS.has(code))) return true;
  // Reconnecting while the server restarts fails as ferry's own connection error.
  if (code === 'connection.failed') return true;
  // node-postgres reports a socket that closed under a query without a code.
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /Connection terminated|Client has encountered a connection error|connection (?:is )?closed/i.test(message)
  );
}

/**
 * Runs `work`, and again after each connection loss, up to RETRY_DELAYS_MS.length more times; `work`
 * must open its own connections. Any other error, or the last loss, goes to the caller.
 *
 * @example
 * await retryingConnectionLoss(() => loadAll(), (attempt, delayMs) => log(`retry ${attempt} in ${delayMs} ms`));
 */
export async function retryingConnectionLoss<T>(
  work: () => Promise<T>,
  onRetry: (attempt: number, delayMs: number, error: unknown) => void = () => {},
  delays: readonly number[] = RETRY_DELAYS_MS,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const delay = delays[attempt];
      if (delay === undefined || !isConnectionLoss(error)) throw error;
      onRetry(attempt + 1, delay, error);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
