/**
 * Serves the metrics the ways mailjail.yaml asks for (both off by default; `mailjail metrics` over
 * the control socket needs nothing here):
 * - `metrics.listen`: HTTP GET /metrics (loopback unless allowRemote; the systemd unit must then
 *   allow AF_INET/AF_INET6, see README "Watching mailjail");
 * - `metrics.textfile`: the text written every 15 s for node_exporter's textfile collector, to a
 *   temporary file in the same directory and renamed over the old one, so the collector never
 *   reads half a file. The first is written a second after start, the last on stop.
 * Also ticks the health tracker, so a problem's age is known before anyone asks.
 */
import { createServer, type Server } from 'node:http';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MailjailError } from '../core/errors';
import type { MetricsConfig } from '../config/load-config';
import type { Metrics } from './metrics';

export const TEXTFILE_EVERY_MS = 15_000;
export const TEXTFILE_FIRST_MS = 1_000;
const HEALTH_EVERY_MS = 5_000;

export type MetricsLog = (level: 'info' | 'warn' | 'error', msg: string, ctx?: object) => void;

export interface MetricsServing {
  /** The HTTP listener's bound port (useful when configured as port 0), when listening. */
  port?: number;
  close(): Promise<void>;
}

export async function serveMetrics(metrics: Metrics, config: MetricsConfig, log: MetricsLog): Promise<MetricsServing> {
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => void) => {
    const t = setInterval(fn, ms);
    t.unref();
    timers.push(t);
  };
  every(HEALTH_EVERY_MS, () => metrics.health.evaluate(Date.now()));
  const server = config.listen ? await listen(metrics, config.listen.host, config.listen.port, log) : null;
  const textfile = config.textfile;
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    if (textfile) writing = writing.then(() => writeTextfile(metrics, textfile, log));
    return writing;
  };
  if (textfile) {
    // the first a second after start, not during it: building the text loads prom-client
    const first = setTimeout(() => void write(), TEXTFILE_FIRST_MS);
    first.unref();
    timers.push(first);
    every(TEXTFILE_EVERY_MS, () => void write());
  }
  return {
    port: server ? (server.address() as { port: number }).port : undefined,
    async close() {
      for (const t of timers) clearInterval(t);
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
      // the last word: mailjail_ready 0, so a stopped daemon does not look like a quiet one
      await write();
    },
  };
}

function listen(metrics: Metrics, host: string, port: number, log: MetricsLog): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('mailjail serves /metrics only\n');
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (e: Error) => {
        log('error', 'rendering metrics failed', { err: e.message });
        res.writeHead(500).end();
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new MailjailError('SOCKET', `metrics.listen: cannot listen on ${host}:${port}: ${e.message}`)));
    server.listen(port, host, () => {
      log('info', 'serving metrics', { url: `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as { port: number }).port}/metrics` });
      resolve(server);
    });
  });
}

async function writeTextfile(metrics: Metrics, path: string, log: MetricsLog): Promise<void> {
  // node_exporter reads *.prom only: the temporary name must not end in .prom
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, await metrics.render(), { mode: 0o644 });
    await rename(tmp, path);
  } catch (e) {
    log('warn', 'writing the metrics textfile failed', { path, err: (e as Error).message });
    await unlink(tmp).catch(() => undefined);
  }
}
