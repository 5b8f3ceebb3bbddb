/**
 * A real Prometheus (Debian's `prometheus` package) for a test: a temp config scraping the given
 * loopback targets every second, its TSDB in a temp dir, its web API on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS = '/usr/bin/prometheus';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Prometheus {
  url: string;
  dir: string;
  /** An instant query's first sample value, or undefined while the result is empty. */
  query(expr: string): Promise<number | undefined>;
  /** A range query (step in seconds): [unix seconds, value] pairs per series, with its labels. */
  queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<Array<{ metric: Record<string, string>; values: Array<[number, number]> }>>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: string[]): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'mj-prometheus-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', '  - job_name: mailjail', '    static_configs:', `      - targets: [${targets.map((t) => `"${t}"`).join(', ')}]`, ''].join('\n'),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const api = async (path: string, params: Record<string, string>) => {
    const res = await fetch(`${url}${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> }; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path} ${params.query}: ${body.error}`);
    return body.data.result;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus not ready within 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dir,
    async query(expr) {
      const r = await api('/api/v1/query', { query: expr });
      return r.length > 0 ? Number(r[0].value![1]) : undefined;
    },
    async queryRange(expr, startS, endS, stepS) {
      const r = await api('/api/v1/query_range', { query: expr, start: String(startS), end: String(endS), step: String(stepS) });
      return r.map((s) => ({ metric: s.metric, values: s.values!.map(([t, v]) => [t, Number(v)] as [number, number]) }));
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
