/**
 * The `mailjail` command. One file per command in ./commands; each exports `register(program)`.
 * Errors are shaped as MailjailError with a `code`; here they become one line on stderr and a
 * documented exit status (README, "Exit statuses"), never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_STATUS, isMailjailError } from '../core/errors';
import { COMMANDS } from './commands';

export function buildProgram(): Command {
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
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
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
  // `mailjail check --json log | head`: a closed pipe ends the command quietly, not with a trace
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = reportError(e);
    },
  );
}
