/**
 * The only module that starts processes. argv arrays only, never a shell: an address reaches argv
 * already parsed, and nothing here ever interprets it.
 */
import { spawn } from 'node:child_process';
import { MailjailError } from '../core/errors';

export interface CommandResult {
  argv: string[];
  /** Exit status; null when the process was killed by a signal or could not be started. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, then stdin is closed (an `nft -f -` script, an `ipset restore` batch). */
  input?: string;
  /** Kill the process (SIGKILL) after this long; the result then carries the signal. */
  timeoutMs?: number;
}

function missingProgram(argv: string[], err: NodeJS.ErrnoException): string {
  return err.code === 'ENOENT'
    ? `${argv[0]}: program not found (is it installed and on PATH?)`
    : `${argv[0]}: cannot start: ${err.message}`;
}

/** Runs argv to completion. Never throws for a failing program: the caller reads `code`. */
export function runCommand(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
  if (argv.length === 0) throw new MailjailError('USAGE', 'runCommand: empty argv');
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (code: number | null, signal: string | null, extraStderr = ''): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8') + extraStderr;
      resolve({ argv, code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr });
    };
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => finish(null, null, missingProgram(argv, e)));
    child.on('close', (code, signal) => finish(code, signal));
    // A program that exits without reading its input (bad option, missing binary) closes the pipe;
    // the exit status says what happened, the EPIPE adds nothing.
    child.stdin.on('error', () => undefined);
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    }
    child.stdin.end(options.input ?? '');
  });
}

/** The first non-empty line of stderr (or stdout), for one-line error messages. */
function firstErrorLine(result: CommandResult): string {
  const text = result.stderr.trim() || result.stdout.trim();
  const line = text.split('\n').find((l) => l.trim() !== '');
  return line?.trim() ?? '(no output)';
}

/** Throws MailjailError('FIREWALL') unless the command exited 0. */
export function assertOk(result: CommandResult, what: string): CommandResult {
  if (result.code === 0) return result;
  const status = result.code !== null ? `exit ${result.code}` : result.signal ? `signal ${result.signal}` : 'not started';
  throw new MailjailError('FIREWALL', `${what} failed (${status}): ${firstErrorLine(result)}`, [
    result.stderr.trim(),
  ].filter((s) => s !== ''));
}

export interface LineStream {
  readonly pid: number | undefined;
  kill(signal?: NodeJS.Signals): void;
}

export interface StreamExit {
  code: number | null;
  signal: string | null;
  /** The last 64 KiB of stderr, to say why a reader stopped. */
  stderr: string;
}

const STDERR_KEEP = 64 * 1024;

/**
 * Starts a long-running reader (journalctl -f) and hands over stdout one line at a time, without
 * the newline. `onExit` is called exactly once, also when the program cannot be started.
 */
export function spawnLines(
  argv: string[],
  onLine: (line: string) => void,
  onExit: (exit: StreamExit) => void,
): LineStream {
  if (argv.length === 0) throw new MailjailError('USAGE', 'spawnLines: empty argv');
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  let pending = '';
  let stderr = '';
  let exited = false;
  const exit = (code: number | null, signal: string | null, extra = ''): void => {
    if (exited) return;
    exited = true;
    if (pending !== '') onLine(pending);
    pending = '';
    onExit({ code, signal, stderr: stderr + extra });
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  child.on('error', (e: NodeJS.ErrnoException) => exit(null, null, missingProgram(argv, e)));
  child.on('close', (code, signal) => exit(code, signal));
  return {
    pid: child.pid,
    kill: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (!exited) child.kill(signal);
    },
  };
}
