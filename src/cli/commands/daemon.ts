/**
 * `mailjail daemon [--config DIR]`: the daemon in the foreground (what systemd runs).
 * SIGHUP reloads the config without dropping bans; SIGTERM/SIGINT stop cleanly and leave the
 * kernel's bans in place (they expire by their own timeouts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config';
import { Daemon } from '../../daemon/daemon';
import { createLogger } from '../../daemon/logger';
import { notifySystemd } from '../../daemon/notify';
import { addConfigOption, configDirOf } from '../options';

export function register(program: Command): void {
  const cmd = program.command('daemon').description('run the daemon in the foreground (what systemd runs)');
  addConfigOption(cmd);
  cmd.action(async () => {
    // Signals are caught from here on: a SIGTERM while starting (restoring 100,000 bans takes a
    // second) stops the daemon cleanly once it has started, instead of killing it half-way.
    const signals = catchSignals();
    // A long-running daemon holding 100,000 bans: let V8 favour a small heap over allocation speed
    // (measured: resident memory with 100,000 bans 105 MiB instead of 190; see BENCHMARKS.md).
    setFlagsFromString('--optimize-for-size');
    const dir = configDirOf(cmd, { required: true });
    const config = loadConfig(dir);
    const log = createLogger(config.main.logLevel);
    const daemon = await Daemon.start({ configDir: dir, log, config });
    await notifySystemd('READY=1', log);
    collectStartGarbage();
    signals.onReload(() => {
      void notifySystemd('RELOADING=1', log);
      daemon.reload().then(
        () => notifySystemd('READY=1', log),
        () => notifySystemd('READY=1', log),
      );
    });
    const signal = await signals.stopped;
    log.info({ signal }, 'stopping');
    void notifySystemd('STOPPING=1', log);
    try {
      await daemon.stop();
    } catch (e) {
      log.error({ err: (e as Error).message }, 'stop failed');
    }
    // Exit now, not when the event loop drains: while Node tears the loop down it puts back the
    // default action of SIGTERM, and one more SIGTERM then (systemd's, an admin's second kill)
    // turned a clean stop into death by signal (issue 16: the daemon-signals flake). pino's exit
    // hook writes the last log lines first.
    process.exit(0);
  });
}

/**
 * One full collection once started: restoring 100,000 bans leaves tens of MiB of dead rows and
 * firewall scripts that a quiet daemon may not collect for minutes, and freed heap pages go back
 * to the system (issue 7: resident memory <= 80 MiB). `gc` exists only in contexts created after
 * --expose-gc is set, hence the new context.
 */
function collectStartGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * SIGTERM/SIGINT and SIGHUP, caught from the moment it is called. `stopped` settles with the first
 * stop signal, also one that came while starting; a SIGHUP before `onReload` is set is dropped
 * (the configuration is being read at that moment anyway).
 */
function catchSignals(): { stopped: Promise<string>; onReload(fn: () => void): void } {
  let reload: (() => void) | null = null;
  const stopped = new Promise<string>((resolve) => {
    process.on('SIGTERM', () => resolve('SIGTERM'));
    process.on('SIGINT', () => resolve('SIGINT'));
  });
  process.on('SIGHUP', () => reload?.());
  return {
    stopped,
    onReload(fn) {
      reload = fn;
    },
  };
}
