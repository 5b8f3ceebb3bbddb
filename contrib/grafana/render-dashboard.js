#!/usr/bin/env node
'use strict';
/**
 * Draws the panels of contrib/grafana/mailjail.json from a real Prometheus's data (Grafana is not
 * in Debian's archive): records a test run (record-run.js), asks Prometheus for each panel's
 * queries over it (/api/v1/query_range, `$jail` = all, `$__rate_interval` = 15s), draws them with
 * uPlot (a devDependency, inlined into one static page) and screenshots the page with Debian's
 * headless Chromium. Needs root (a network namespace), nft, prometheus, chromium and `npm run build`.
 *   node contrib/grafana/render-dashboard.js [--seconds 120] [--out contrib/grafana/mailjail-dashboard.png]
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { recordRun } = require('./record-run');

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const uplotDir = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));

async function panelData(url, dashboard, start, end) {
  const panels = [];
  for (const p of dashboard.panels) {
    if (p.type === 'row') {
      panels.push({ row: p.title });
      continue;
    }
    const series = [];
    for (const t of p.targets) {
      const expr = t.expr.replaceAll('$__rate_interval', '15s').replaceAll('$jail', '.*');
      const q = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: '2' });
      const body = await (await fetch(`${url}/api/v1/query_range?${q}`)).json();
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      for (const s of body.data.result) {
        const label = t.legendFormat.replace(/\{\{(\w+)\}\}/g, (_m, k) => s.metric[k] ?? '').trim() || expr;
        series.push({ label, values: s.values.map(([ts, v]) => [ts, Number(v)]) });
      }
    }
    panels.push({ title: p.title, unit: p.fieldConfig.defaults.unit, series });
  }
  return panels;
}

function page(panels, start, end) {
  const css = fs.readFileSync(path.join(uplotDir, 'uPlot.min.css'), 'utf8');
  const js = fs.readFileSync(path.join(uplotDir, 'uPlot.iife.min.js'), 'utf8');
  return `<!doctype html><html><head><meta charset="utf-8"><style>${css}
body{margin:0;padding:8px;background:#111217;color:#ccccdc;font:12px sans-serif;width:1184px}
h1{font-size:16px;margin:4px 0 6px} h2{font-size:13px;margin:8px 0 2px;color:#8e8e9a;width:100%}
.grid{display:flex;flex-wrap:wrap;gap:6px} .p{background:#181b1f;border:1px solid #2c3235;padding:4px;width:380px;box-sizing:border-box}
.p b{display:block;margin:0 0 2px 4px} .u-legend{font-size:10px;color:#ccccdc} .u-legend .u-series th{font-weight:normal}
.u-axis{color:#8e8e9a}</style></head><body>
<h1>mailjail: ${new Date(start * 1000).toISOString().slice(0, 19)}Z, ${Math.round(end - start)} s of a test run (data: a real Prometheus scraping /metrics every second)</h1>
<div class="grid" id="g"></div><script>${js}</script><script>
const panels = ${JSON.stringify(panels)};
const colors = ['#73bf69','#f2cc0c','#5794f2','#ff9830','#f2495c','#b877d9','#8ab8ff','#fade2a'];
const fmt = (u, v) => v == null ? '' : u === 'bytes' ? (v >= 1048576 ? (v/1048576).toFixed(1)+' MiB' : v >= 1024 ? (v/1024).toFixed(0)+' KiB' : (+v.toFixed(1))+' B')
  : u === 's' ? (v < 1 ? (v*1000).toFixed(0)+' ms' : v.toFixed(1)+' s') : u === 'ops' ? v.toFixed(v < 10 ? 1 : 0)+'/s' : String(+v.toFixed(2));
const g = document.getElementById('g');
for (const p of panels) {
  if (p.row) { const h = document.createElement('h2'); h.textContent = p.row; g.appendChild(h); continue; }
  const d = document.createElement('div'); d.className = 'p'; d.innerHTML = '<b></b>'; d.firstChild.textContent = p.title; g.appendChild(d);
  const ts = [...new Set(p.series.flatMap(s => s.values.map(v => v[0])))].sort((a, b) => a - b);
  const data = [ts, ...p.series.map(s => { const m = new Map(s.values); return ts.map(t => m.has(t) && isFinite(m.get(t)) ? m.get(t) : null); })];
  if (p.series.length === 0) { data.push(ts.map(() => null)); }
  new uPlot({ width: 370, height: 140, legend: { show: true }, cursor: { show: false },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [{ stroke: '#8e8e9a', grid: { stroke: '#2c3235' }, ticks: { stroke: '#2c3235' }, size: 24 },
           { stroke: '#8e8e9a', grid: { stroke: '#2c3235' }, ticks: { stroke: '#2c3235' }, size: 66, values: (u, vals) => vals.map(v => fmt(p.unit, v)) }],
    series: [{}, ...(p.series.length ? p.series.map((s, i) => ({ label: s.label, stroke: colors[i % colors.length], width: 1.5, fill: colors[i % colors.length] + '18', spanGaps: true }))
      : [{ label: 'no data in this run', stroke: '#555' }])] }, data, d);
}
document.body.setAttribute('data-done', '1');
</script></body></html>`;
}

function screenshot(html, out) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-chromium-'));
  const file = path.join(dir, 'dashboard.html');
  fs.writeFileSync(file, html);
  const r = spawnSync('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${path.join(dir, 'profile')}`, '--hide-scrollbars', '--force-device-scale-factor=1',
    '--window-size=1200,1400', `--screenshot=${path.resolve(out)}`, `file://${file}`], { encoding: 'utf8', timeout: 120_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0 || !fs.existsSync(out)) throw new Error(`chromium failed: ${r.stderr || r.error}`);
}

(async () => {
  const out = arg('--out', path.join(__dirname, 'mailjail-dashboard.png'));
  const dashboard = JSON.parse(fs.readFileSync(path.join(__dirname, 'mailjail.json'), 'utf8'));
  const runInfo = await recordRun({ seconds: Number(arg('--seconds', '120')) });
  try {
    const panels = await panelData(runInfo.url, dashboard, runInfo.start, runInfo.end);
    const html = page(panels, runInfo.start, runInfo.end);
    if (process.argv.includes('--html')) fs.writeFileSync(`${out}.html`, html);
    screenshot(html, out);
    process.stdout.write(`${out}: ${panels.filter((p) => !p.row).length} panels, ${fs.statSync(out).size} bytes\n`);
  } finally {
    await runInfo.stop();
  }
})().catch((e) => {
  process.stderr.write(`render-dashboard: ${e.stack || e}\n`);
  process.exitCode = 1;
});
