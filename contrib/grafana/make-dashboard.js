'use strict';
/**
 * Writes contrib/grafana/mailjail.json (a Grafana dashboard: import it, pick the Prometheus data
 * source). Kept as code so the panels stay regular; the JSON is committed and checked by
 * test/unit/metrics/dashboard.test.ts (every query names a metric the daemon exports).
 *   node contrib/grafana/make-dashboard.js
 */
const fs = require('node:fs');
const path = require('node:path');

const J = 'jail=~"$jail"';
const R = '$__rate_interval';
const rows = [
  ['Is it reading?', [
    ['Lines read /s', 'ops', [[`sum by (jail) (rate(mailjail_lines_read_total{${J}}[${R}]))`, '{{jail}}']]],
    ['Age of the last line read', 's', [[`max by (jail, source) (mailjail_source_last_line_age_seconds{${J}})`, '{{jail}} {{source}}']]],
    ['Catch-up remaining', 'bytes', [[`sum by (jail) (mailjail_source_backlog_bytes{${J}})`, '{{jail}}']]],
  ]],
  ['What does it see?', [
    ['Events /s by kind', 'ops', [[`sum by (event) (rate(mailjail_events_total{${J}}[${R}]))`, '{{event}}']]],
    ['Strikes /s by kind', 'ops', [[`sum by (event) (rate(mailjail_strikes_total{${J}}[${R}]))`, '{{event}}']]],
    ['Lines with a keyword that matched no rule /s', 'ops', [[`sum by (jail) (rate(mailjail_lines_unmatched_keyword_total{${J}}[${R}]))`, '{{jail}}']]],
  ]],
  ['What does it ban?', [
    ['Bans /s by reason', 'ops', [[`sum by (reason) (rate(mailjail_bans_total{${J}}[${R}]))`, '{{reason}}']]],
    ['Active bans', 'short', [[`sum by (jail) (mailjail_active_bans{${J}})`, '{{jail}}']]],
    ['Offenders tracked', 'short', [[`sum by (jail) (mailjail_offenders{${J}})`, '{{jail}}']]],
  ]],
  ['Is it safe?', [
    ['Bans prevented by customer protection', 'short', [[`sum by (jail) (increase(mailjail_customer_bans_prevented_total{${J}}[${R}]))`, '{{jail}}']]],
    ['Forgiven offenders', 'short', [[`sum by (jail) (increase(mailjail_forgiven_offenders_total{${J}}[${R}]))`, '{{jail}}']]],
    ['Unbans /s by cause', 'ops', [[`sum by (cause) (rate(mailjail_unbans_total{${J}}[${R}]))`, '{{cause}}']]],
  ]],
  ['Is enforcement healthy?', [
    ['Firewall failures and backlog', 'short', [
      [`sum by (jail, action) (increase(mailjail_firewall_failures_total{${J}}[${R}]))`, 'failed batches {{jail}} {{action}}'],
      [`sum by (jail, action) (mailjail_firewall_pending{${J}})`, 'pending {{jail}} {{action}}'],
    ]],
    ['Kernel drift found by reconcile', 'short', [[`sum by (jail, kind) (increase(mailjail_reconcile_drift_total{${J}}[${R}]))`, '{{jail}} {{kind}}']]],
    ['Line to kernel latency', 's', [
      [`histogram_quantile(0.5, sum by (le) (rate(mailjail_ban_latency_seconds_bucket{${J}}[${R}])))`, 'p50'],
      [`histogram_quantile(0.99, sum by (le) (rate(mailjail_ban_latency_seconds_bucket{${J}}[${R}])))`, 'p99'],
    ]],
    ['Firewall batch duration p99', 's', [[`histogram_quantile(0.99, sum by (le, action) (rate(mailjail_firewall_duration_seconds_bucket{${J}}[${R}])))`, '{{action}}']]],
    ['Problems (mailjail status)', 'short', [[`sum by (kind) (mailjail_problems)`, '{{kind}}'], ['mailjail_ready', 'ready']]],
    ['Resident memory and database', 'bytes', [['process_resident_memory_bytes and on (instance, job) mailjail_ready', 'resident'], ['mailjail_database_bytes', 'database']]],
  ]],
];

const panels = [];
let id = 1;
let y = 0;
for (const [title, row] of rows) {
  panels.push({ id: id++, type: 'row', title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y } });
  y += 1;
  row.forEach(([ptitle, unit, targets], i) => {
    const w = 24 / Math.min(row.length, 3);
    panels.push({
      id: id++,
      type: 'timeseries',
      title: ptitle,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w, x: (i % 3) * w, y: y + Math.floor(i / 3) * 8 },
      fieldConfig: { defaults: { unit, min: 0, custom: { lineWidth: 2, fillOpacity: 10 } }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
      targets: targets.map(([expr, legendFormat], k) => ({ refId: String.fromCharCode(65 + k), datasource: { type: 'prometheus', uid: '${datasource}' }, expr, legendFormat })),
    });
  });
  y += Math.ceil(row.length / 3) * 8;
}

const dashboard = {
  title: 'mailjail',
  uid: 'mailjail',
  description: 'Is mailjail reading, matching and banning, and is nothing stuck? (README: "Watching mailjail")',
  tags: ['mailjail', 'mail', 'security'],
  schemaVersion: 39,
  version: 1,
  editable: true,
  graphTooltip: 1,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  templating: {
    list: [
      { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
      {
        name: 'jail',
        label: 'Jail',
        type: 'query',
        datasource: { type: 'prometheus', uid: '${datasource}' },
        query: { query: 'label_values(mailjail_active_bans, jail)', refId: 'jails' },
        definition: 'label_values(mailjail_active_bans, jail)',
        includeAll: true,
        multi: true,
        allValue: '.*',
        current: { text: 'All', value: '$__all' },
        refresh: 2,
        hide: 0,
      },
    ],
  },
  annotations: { list: [] },
  panels,
};
fs.writeFileSync(path.join(__dirname, 'mailjail.json'), `${JSON.stringify(dashboard, null, 2)}\n`);
