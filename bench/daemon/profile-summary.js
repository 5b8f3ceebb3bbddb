'use strict';
/**
 * Reads a V8 .cpuprofile (`node --cpu-prof`) and says where the time went: self time per
 * function and per file (node_modules and node internals grouped), the biggest first. Used to
 * explain a missed target; `node bench/daemon/profile-summary.js FILE.cpuprofile` prints it.
 */
const fs = require('node:fs');
const path = require('node:path');

function summarizeProfile(file, top = 15) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const where = place(cf.url);
    const fn = `${cf.functionName || '(anonymous)'} ${where}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    files.set(where, (files.get(where) ?? 0) + us);
  }
  const rows = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / totalUs }));
  return { totalMs: totalUs / 1000, functions: rows(fns), files: rows(files) };
}

function place(url) {
  if (!url) return '(native/gc/idle)';
  const p = url.replace(/^file:\/\//, '');
  const nm = p.indexOf('node_modules/');
  if (nm >= 0) return p.slice(nm).split('/').slice(0, 2).join('/');
  if (p.startsWith('node:')) return p;
  const dist = p.indexOf('/dist/');
  return dist >= 0 ? p.slice(dist + 1) : path.basename(p);
}

function profileMarkdown(summary, title) {
  const pct = (s) => `${(s * 100).toFixed(1)}%`;
  const lines = [`${title} (${summary.totalMs.toFixed(0)} ms sampled)`, '', '| self time by file | ms | share |', '|---|---:|---:|'];
  for (const r of summary.files) lines.push(`| ${r.name} | ${r.ms.toFixed(0)} | ${pct(r.share)} |`);
  lines.push('', '| self time by function | ms | share |', '|---|---:|---:|');
  for (const r of summary.functions) lines.push(`| \`${r.name}\` | ${r.ms.toFixed(0)} | ${pct(r.share)} |`);
  return lines.join('\n');
}

module.exports = { summarizeProfile, profileMarkdown };

if (require.main === module) {
  console.log(profileMarkdown(summarizeProfile(process.argv[2], Number(process.argv[3] ?? 20)), path.basename(process.argv[2])));
}
