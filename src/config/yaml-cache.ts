/**
 * Parsed YAML values from earlier runs. Loading the `yaml` package and parsing the shipped filters
 * and jails with it (cold, at start-up) was a third of the daemon's start; JSON.parse of the same
 * values takes a fraction of a millisecond. Keyed by the file's whole text: an exact match, and no
 * hashing (loading node:crypto alone cost more than the lookup).
 *
 * Only a valid parse is stored, and only JSON-exact values (no .inf, no NaN), so a hit gives the
 * very value the parser would. The cache is off unless enabled (the CLI enables it; tests that call
 * loadConfig parse for real). It is used only in a directory this user owns and nobody else can
 * write: systemd's CacheDirectory=, else a private directory in the temp dir.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bump when what is stored changes meaning (e.g. another YAML version or options). */
const FORMAT = 'yaml-values-2';
const MAX_ENTRIES = 256;

let file: string | null = null;
/** file text -> JSON text of its value; insertion order is age. */
let entries: Map<string, string> | null = null;

/** Turns the cache on, in `dir` or the default directory; false when no safe directory exists. */
export function enableYamlCache(dir: string | null = defaultCacheDir()): boolean {
  disableYamlCache();
  if (!dir) return false;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivate(dir, true)) return false;
  } catch {
    return false;
  }
  file = join(dir, 'yaml-values.json');
  return true;
}

export function disableYamlCache(): void {
  file = null;
  entries = null;
}

function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.MAILJAIL_CACHE_DIR !== undefined) return env.MAILJAIL_CACHE_DIR || null;
  const systemd = env.CACHE_DIRECTORY?.split(':')[0];
  return systemd ?? join(tmpdir(), `mailjail-cache-${process.getuid?.() ?? 'user'}`);
}

/** The value stored for this text, as a fresh object; undefined when there is none. */
export function cachedYamlValue(text: string): unknown {
  const json = load()?.get(text);
  return json === undefined ? undefined : JSON.parse(json);
}

export function storeYamlValue(text: string, value: unknown): void {
  const map = load();
  if (!map || !file || !isJsonExact(value)) return;
  map.delete(text);
  map.set(text, JSON.stringify(value));
  for (const old of map.keys()) {
    if (map.size <= MAX_ENTRIES) break;
    map.delete(old);
  }
  const tmp = `${file}.${process.pid}`;
  try {
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, entries: [...map] }), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // a read-only or full disk: the next start parses, as this one did
  }
}

function load(): Map<string, string> | null {
  if (!file) return null;
  if (entries) return entries;
  entries = new Map();
  try {
    if (!isPrivate(file, false)) return entries;
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { format?: string; entries?: Array<[string, string]> };
    if (stored.format === FORMAT && Array.isArray(stored.entries)) entries = new Map(stored.entries);
  } catch {
    // missing or damaged: start empty
  }
  return entries;
}

/** Ours, not a symlink, writable by nobody else. */
function isPrivate(path: string, isDir: boolean): boolean {
  const st = lstatSync(path);
  const uid = process.getuid?.();
  return (isDir ? st.isDirectory() : st.isFile()) && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

/** Only what JSON gives back unchanged: strings, finite numbers, booleans, null, arrays, plain objects. */
function isJsonExact(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isJsonExact);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value as object).every(([k, v]) => k !== '__proto__' && isJsonExact(v));
  }
  return false;
}
