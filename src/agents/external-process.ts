// Runs an external agent's command once: no shell, the request on stdin, a timeout that kills, a cap
// on stdout, only the tail of stderr kept, and an environment without the hidden variables. Every
// way the process can fail becomes a FerryError that names the agent.

import { execa } from 'execa';
import { errorDiagnostic, FerryError } from '../errors.js';
import { quote } from './external-checks.js';

/** After the timeout's SIGTERM, how long a process may take to exit before it gets SIGKILL. */
const FORCE_KILL_AFTER_MS = 2000;

/**
 * After the process exits, how long its stdout and stderr may stay open. A process it started (curl
 * under a shell script) can hold them open for ever; ferry then stops reading instead of waiting.
 */
const STREAMS_CLOSE_AFTER_EXIT_MS = 1000;

/** How much of stderr is kept for messages: enough for an error and its context, never a flood. */
const STDERR_TAIL_BYTES = 4096;

/** How many of stderr's last lines the hint quotes. */
const STDERR_HINT_LINES = 5;

export interface AgentCommand {
  /** How messages name the agent (see describeAgent). */
  readonly agent: string;
  /** The program and its arguments, exactly as the spec lists them. */
  readonly command: readonly string[];
  readonly input: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly maxOutputBytes: number;
}

/**
 * Runs the command and returns what it wrote on stdout, or throws `agent.crashed`, `agent.timeout`
 * or `agent.output-too-large`.
 */
export async function runAgentCommand(run: AgentCommand): Promise<Uint8Array> {
  const [file, ...args] = run.command;
  if (file === undefined) {
    throw crashed(
      `${run.agent} has no command`,
      'give the program and its arguments: [node, ./agents/llm.mjs]',
    );
  }
  const subprocess = execa(file, args, {
    shell: false,
    cwd: run.cwd,
    env: run.env,
    // The child gets exactly `env`, not ferry's environment merged back in: hidden stays hidden.
    extendEnv: false,
    input: run.input,
    timeout: run.timeoutSeconds * 1000,
    forceKillAfterDelay: FORCE_KILL_AFTER_MS,
    encoding: 'buffer',
    maxBuffer: { stdout: run.maxOutputBytes },
    // stderr is read below into a bounded tail instead of a buffer that grows with the agent's logs.
    buffer: { stdout: true, stderr: false },
    reject: false,
    windowsHide: true,
  });
  const stderr = new StderrTail(STDERR_TAIL_BYTES);
  subprocess.stderr.on('data', (chunk: Uint8Array) => stderr.push(chunk));
  let abandonStreams: NodeJS.Timeout | undefined;
  subprocess.once('exit', () => {
    abandonStreams = setTimeout(() => {
      subprocess.stdout.destroy();
      subprocess.stderr.destroy();
    }, STREAMS_CLOSE_AFTER_EXIT_MS);
  });
  const result = await subprocess.finally(() => clearTimeout(abandonStreams));
  if (!result.failed) return result.stdout;
  throw describeFailure(run, result, stderr.lines());
}

interface FailedRun {
  readonly timedOut: boolean;
  readonly isMaxBuffer: boolean;
  readonly exitCode?: number | undefined;
  readonly signal?: string | undefined;
  readonly code?: unknown;
  readonly cause?: unknown;
}

function describeFailure(run: AgentCommand, result: FailedRun, stderr: readonly string[]): FerryError {
  if (result.timedOut) {
    return new FerryError(
      errorDiagnostic(
        'agent.timeout',
        `${run.agent} timed out after ${run.timeoutSeconds} s and was stopped`,
        {
          hint: 'raise `timeoutSeconds` in the agent entry of the project file, or make the agent answer faster',
        },
      ),
    );
  }
  if (result.isMaxBuffer) {
    return new FerryError(
      errorDiagnostic(
        'agent.output-too-large',
        `${run.agent} wrote more than ${formatBytes(run.maxOutputBytes)} on stdout and was stopped`,
        { hint: 'an answer holds proposals, not data; write logs to stderr' },
      ),
    );
  }
  const tail = stderrHint(stderr);
  if (result.exitCode !== undefined && result.exitCode !== 0) {
    const last = stderr.at(-1);
    const message = `${run.agent} exited with status ${result.exitCode}${last ? `: ${last}` : ''}`;
    return crashed(
      message,
      stderr.length > 1 ? tail : 'run its command by hand, with a request on stdin, to see more',
    );
  }
  if (result.signal !== undefined) {
    const guess =
      result.signal === 'SIGKILL' ? 'something killed it, often the system when memory ran out' : undefined;
    return crashed(`${run.agent} was killed by ${result.signal}`, tail ?? guess);
  }
  const code = spawnErrorCode(result);
  if (code !== undefined) {
    return crashed(`${run.agent} could not be started: ${code}`, startHint(run, code));
  }
  // Exit status 0 yet failed: stdin or stdout broke (EPIPE). Say what happened, without a stack trace.
  return crashed(`${run.agent} failed: ${failureReason(result)}`, tail);
}

/** The system error of a process that never ran (ENOENT, EACCES, …), if that is what happened. */
function spawnErrorCode(result: FailedRun): string | undefined {
  if (result.exitCode !== undefined || result.signal !== undefined) return undefined;
  const cause = result.cause;
  if (typeof cause === 'object' && cause !== null && 'syscall' in cause && 'code' in cause) {
    const { syscall, code } = cause as { syscall: unknown; code: unknown };
    if (typeof syscall === 'string' && syscall.startsWith('spawn') && typeof code === 'string') return code;
  }
  return undefined;
}

function startHint(run: AgentCommand, code: string): string {
  const program = quote(run.command[0] ?? '');
  if (code === 'ENOENT') {
    return `check that ${program} is installed and on PATH, or give its path relative to the project directory (${run.cwd})`;
  }
  if (code === 'EACCES')
    return `${program} is not executable: run it through its interpreter, as in [node, ./agent.mjs]`;
  return `check that ${program} can be run from ${run.cwd}`;
}

function failureReason(result: FailedRun): string {
  const cause = result.cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  return cause instanceof Error ? (cause.message.split('\n')[0] ?? 'unknown error') : 'unknown error';
}

function stderrHint(lines: readonly string[]): string | undefined {
  if (lines.length === 0) return undefined;
  const shown = lines.slice(-STDERR_HINT_LINES).map((line) => `  ${line}`);
  return `the end of its stderr:\n${shown.join('\n')}`;
}

function crashed(message: string, hint: string | undefined): FerryError {
  return new FerryError(errorDiagnostic('agent.crashed', message, { hint }));
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** The last bytes a stream wrote, kept in a bounded buffer however much it writes. */
class StderrTail {
  private chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.byteLength ?? 0) >= this.limit) {
      this.size -= this.chunks.shift()?.byteLength ?? 0;
    }
  }

  /** The non-empty lines of the tail, printable; a first line cut by the limit is dropped. */
  lines(): string[] {
    const bytes = Buffer.concat(this.chunks);
    const cut = bytes.byteLength > this.limit;
    const text = new TextDecoder().decode(cut ? bytes.subarray(bytes.byteLength - this.limit) : bytes);
    const lines = text.split(/\r?\n/);
    if (cut) lines.shift();
    return lines.map(printable).filter((line) => line.trim() !== '');
  }
}

/** Drops terminal escapes and control characters: stderr is shown in ferry's own output. */
function printable(line: string): string {
  return (
    line
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is removed
      .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: as are other control characters
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
      .trimEnd()
  );
}
