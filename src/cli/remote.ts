/**
 * Shared shape of the commands that talk to the daemon: declare --socket/--config/--json, send
 * one request, print the result as JSON (--json) or through the command's own text printer.
 */
import type { Command } from 'commander';
import { request } from '../control/client';
import type { RequestInput } from '../control/protocol';
import { addConfigOption, addJsonOption, addSocketOption, socketOf } from './options';

export function remoteCommand(cmd: Command): Command {
  addSocketOption(cmd);
  addConfigOption(cmd);
  addJsonOption(cmd);
  return cmd;
}

export async function ask<T>(cmd: Command, req: RequestInput): Promise<T> {
  return request<T>(socketOf(cmd), req);
}

export function wantsJson(cmd: Command): boolean {
  return Boolean((cmd.optsWithGlobals() as { json?: boolean }).json);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
