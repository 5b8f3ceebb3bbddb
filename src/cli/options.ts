/**
 * Options several commands share. `--config` and `--socket` are accepted before or after the
 * command name: they are declared on the program and on each command, and read merged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MAIN_DEFAULTS } from '../config/main-defaults';
import { parseYaml } from '../config/yaml-document';
import { MailjailError } from '../core/errors';
import { findRunningDaemons } from './find-daemon';

const DEFAULT_CONFIG_DIR = '/etc/mailjail';

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

export function addSocketOption(cmd: Command): Command {
  return cmd.option('-s, --socket <path>', 'control socket (default: from the config, else /run/mailjail/mailjail.sock)');
}

/**
 * The socket to talk to: --socket, else the config's `socket`, else the default path; and when
 * neither --socket nor --config was given and that socket does not exist, the socket of the one
 * mailjail daemon running (several: a SOCKET error listing them, so the admin knows what to type).
 */
export function socketOf(cmd: Command): string {
  const opts = cmd.optsWithGlobals() as { socket?: string; config?: string };
  if (opts.socket) return opts.socket;
  const dir = configDirOf(cmd);
  const socket = (dir && readSocketQuietly(dir)) || MAIN_DEFAULTS.socket;
  if (opts.config || existsSync(socket)) return socket;
  const running = findRunningDaemons(readSocketQuietly, MAIN_DEFAULTS.socket);
  if (running.length === 1) return running[0].socket;
  if (running.length > 1) {
    const list = running.map((d) => `--socket ${d.socket} (pid ${d.pid})`).join(', ');
    throw new MailjailError('SOCKET', `no daemon at ${socket}, and ${running.length} mailjail daemons run: name one with ${list}`);
  }
  return socket;
}

/** The socket a config directory names; a broken or missing file must not stop `mailjail unban`. */
function readSocketQuietly(dir: string): string | undefined {
  try {
    return readMainSocket(dir);
  } catch {
    return undefined;
  }
}

function readMainSocket(dir: string): string | undefined {
  const file = join(dir, 'mailjail.yaml');
  if (!existsSync(file)) return undefined;
  // the loader's own parse: cached like every config file, and the parser is required only on a miss
  const value = parseYaml(readFileSync(file, 'utf8'), file).doc?.value as { socket?: unknown } | undefined;
  return typeof value?.socket === 'string' ? value.socket : undefined;
}
