'use strict';
// What the kernel of a namespace holds for each jail, read with the firewall's own tools:
// nftables (`nft -j list table inet mailjail`: every set of a jail, hosts and prefixes, both
// families) or ipset (`ipset save`: the sets `mailjail-<jail>-4/6`). Returns Map jail -> Set of
// canonical CIDR texts. An element that is no single prefix (an nft range) is kept as `a-b`.
const { spawnSync } = require('node:child_process');
const { canonical } = require('./cidr');

function runInNamespace(namespace, argv) {
  const result = spawnSync('ip', ['netns', 'exec', namespace, ...argv], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout || '', stderr: result.stderr || '' };
}

function add(map, jail, text) {
  if (!map.has(jail)) map.set(jail, new Set());
  map.get(jail).add(text);
}

/**
 * One nft JSON set element: "1.2.3.4", {prefix}, {range}, or {elem: {val: ...}} around them.
 * `mask`: the set holds network addresses of that prefix length (a masked set).
 */
function nftElementText(element, mask) {
  if (typeof element === 'string') return canonical(mask ? `${element}/${mask}` : element) || element;
  if (element.elem) return nftElementText(element.elem.val, mask);
  if (element.prefix) return canonical(`${element.prefix.addr}/${element.prefix.len}`) || JSON.stringify(element);
  if (element.range) return `${element.range[0]}-${element.range[1]}`;
  return JSON.stringify(element);
}

function readNftBans(namespace, table = 'mailjail') {
  const result = runInNamespace(namespace, ['nft', '-j', 'list', 'table', 'inet', table]);
  if (result.code !== 0) throw new Error(`nft list table inet ${table}: ${result.stderr.trim()}`);
  const bans = new Map();
  for (const item of JSON.parse(result.stdout).nftables) {
    if (!item.set) continue;
    // `<jail>_v4`, `<jail>_v6` (hosts), `<jail>_v4_24`, `<jail>_v6_64` (/24s and /64s as network
    // addresses, matched masked), `<jail>_v4_net`, `<jail>_v6_net` (other prefixes); any other
    // set of the table still belongs to the jail named before `_v`.
    const jail = item.set.name.replace(/_v[46](?:_.*)?$/, '');
    const mask = /_v[46]_(\d+)$/.exec(item.set.name);
    if (!bans.has(jail)) bans.set(jail, new Set());
    for (const element of item.set.elem || []) add(bans, jail, nftElementText(element, mask?.[1]));
  }
  return bans;
}

function readIpsetBans(namespace, prefix = 'mailjail') {
  const result = runInNamespace(namespace, ['ipset', 'save']);
  if (result.code !== 0) throw new Error(`ipset save: ${result.stderr.trim()}`);
  const bans = new Map();
  const setName = new RegExp(`^${prefix}-(.+)-[46]$`);
  for (const line of result.stdout.split('\n')) {
    const words = line.trim().split(/\s+/);
    const match = setName.exec(words[1] || '');
    if (!match) continue;
    if (words[0] === 'create' && !bans.has(match[1])) bans.set(match[1], new Set());
    if (words[0] === 'add') add(bans, match[1], canonical(words[2]) || words[2]);
  }
  return bans;
}

function readKernelBans(namespace, action) {
  return action === 'iptables' ? readIpsetBans(namespace) : readNftBans(namespace);
}

module.exports = { readKernelBans, readNftBans, readIpsetBans, runInNamespace };
