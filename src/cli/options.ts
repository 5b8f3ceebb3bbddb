/**
 * Options several commands share. `--config` and `--socket` are accepted before or after the
 * command name: they are declared on the program and on each command, and read merged.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';

export const DEFAULT_CONFIG_DIR = '/etc/mailjail';

export function addConfigOption(cmd: Command): Command {
  return cmd.option('-c, --config <dir>', `configuration directory (default ${DEFAULT_CONFIG_DIR})`);
}

export function addJsonOption(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable JSON on stdout');
}

/**
 * The config directory to use: the one named, else /etc/mailjail if it exists, else none (the
 * shipped jails alone, so `replay --jail postfix FILE` works on a machine with no config).
 */
export function configDirOf(cmd: Command, { required = false } = {}): string | null {
  const named = (cmd.optsWithGlobals() as { config?: string }).config;
  if (named) return named;
  if (existsSync(DEFAULT_CONFIG_DIR) || required) return DEFAULT_CONFIG_DIR;
  return null;
}

/** Repeatable option collector: `--jail a --jail b` -> ['a', 'b']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
