/**
 * The `mailjail` command. One file per command in ./commands; each exports `register(program)`.
 * Errors are shaped as MailjailError with a `code`; here they become one line on stderr and a
 * documented exit status (README, "Exit statuses"), never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_STATUS, isMailjailError } from '../core/errors';
import { enableYamlCache } from '../config/yaml-cache';
import { COMMANDS } from './commands';
import { nodeVersionProblem } from './node-version';

/** Program options that take a value: their value is not the command's name. */
const VALUE_OPTIONS = new Set(['-c', '--config', '-s', '--socket']);

export function buildProgram(argv?: string[]): Command {
  const program = new Command();
  program
    .name('mailjail')
    .description('Watch mail-server logs and ban attacking IPs in the kernel firewall')
    .version(require('../../package.json').version as string)
    .option('-c, --config <dir>', 'configuration directory (default /etc/mailjail)')
    .option('-s, --socket <path>', 'control socket of the daemon')
    .option('--json', 'machine-readable JSON on stdout')
    .showHelpAfterError(false)
    .exitOverride();
  for (const name of argv ? commandsFor(argv) : COMMANDS.keys()) COMMANDS.get(name)!()(program);
  return program;
}

/**
 * The commands to load for this command line: the one it names, and only that one; every command
 * for help, for a word that is no command (commander then suggests one) and for no command at all,
 * except that `--version` alone needs none. Loading one command is most of a short run's time.
 */
export function commandsFor(argv: string[]): string[] {
  const word = firstOperand(argv);
  if (word !== undefined && COMMANDS.has(word)) return [word];
  const isVersion = argv.some((a) => a === '-V' || a === '--version');
  const isHelp = argv.some((a) => a === '-h' || a === '--help');
  if (word === undefined && isVersion && !isHelp) return [];
  return [...COMMANDS.keys()];
}

function firstOperand(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv[i + 1];
    if (!a.startsWith('-') || a === '-') return a;
    if (VALUE_OPTIONS.has(a)) i++;
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    return reportError(e);
  }
}

function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // commander already printed its message (help and version exit 0)
    return e.exitCode === 0 ? 0 : EXIT_STATUS.USAGE;
  }
  if (isMailjailError(e)) {
    if (e.problems.length > 0) for (const p of e.problems) process.stderr.write(`${p}\n`);
    else process.stderr.write(`mailjail: ${e.message}\n`);
    return EXIT_STATUS[e.code];
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`mailjail: internal error: ${message}\n`);
  if (process.env.MAILJAIL_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return 1;
}

if (require.main === module || process.argv[1]?.endsWith('bin/mailjail')) {
  const tooOld = nodeVersionProblem(process.versions.node);
  if (tooOld) {
    process.stderr.write(`mailjail: ${tooOld}\n`);
    process.exit(EXIT_STATUS.MISSING);
  }
  // `mailjail check --json log | head`: a closed pipe ends the command quietly, not with a trace
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  // Parsed config files from the last run: most of a start's YAML work (see yaml-cache.ts).
  enableYamlCache();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = reportError(e);
    },
  );
}
