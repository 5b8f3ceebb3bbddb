/**
 * Every CLI command, one file each. A command file exports `register(program)`.
 * Command files are required only when wanted (see main.ts): `mailjail --version` or
 * `mailjail status` must not pay for loading the daemon, YAML, zod and SQLite.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

type CommandModule = { register: RegisterCommand };

/** Command name -> its file, in the order `mailjail --help` lists them. */
export const COMMANDS: ReadonlyMap<string, () => RegisterCommand> = new Map<string, () => RegisterCommand>([
  ['daemon', () => (require('./daemon') as CommandModule).register],
  ['status', () => (require('./status') as CommandModule).register],
  ['list', () => (require('./list') as CommandModule).register],
  ['ban', () => (require('./ban') as CommandModule).register],
  ['unban', () => (require('./unban') as CommandModule).register],
  ['why', () => (require('./why') as CommandModule).register],
  ['top', () => (require('./top') as CommandModule).register],
  ['metrics', () => (require('./metrics') as CommandModule).register],
  ['reload', () => (require('./reload') as CommandModule).register],
  ['check', () => (require('./check') as CommandModule).register],
  ['replay', () => (require('./replay') as CommandModule).register],
]);
