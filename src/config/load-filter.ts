/**
 * Filter files from disk: `filters/<name>.yaml` shipped with mailjail, or a user's own. Every
 * problem reads `file:line: path: message`, from the YAML parser, zod, or regex compilation.
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MailjailError } from '../core/errors';
import { compileFilter, type CompiledFilter } from '../match/compile-filter';
import { FilterSchema } from '../match/filter-schema';
import { enableBoundedRegExps } from './regexp-engine';
import { parseYaml, validateYaml } from './yaml-document';

/** `<repo>/filters`: two levels up from src/config (jest) and from dist/config (built). */
export function shippedFiltersDir(): string {
  return resolve(__dirname, '..', '..', 'filters');
}

export function loadFilterFile(path: string): CompiledFilter {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MailjailError('CONFIG', `cannot read filter ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const parsed = parseYaml(text, path);
  if (!parsed.doc) throw new MailjailError('CONFIG', `invalid filter ${path}`, parsed.problems);
  const { value, problems } = validateYaml(parsed.doc, FilterSchema);
  if (!value) throw new MailjailError('CONFIG', `invalid filter ${path}`, problems);
  enableBoundedRegExps();
  return compileFilter(basename(path).replace(/\.ya?ml$/, ''), value, path, parsed.doc.lineOf);
}

/** Names of the filters in a directory (`*.yaml`), sorted. */
export function listFilterNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * A name is looked up in `extraDirs` first, then in the shipped filters; a path (contains `/` or
 * ends in .yaml) is loaded as is. An empty list means every shipped filter. `loaded` (file ->
 * filter) lets jails sharing a filter share one compiled copy: compiled filters are read-only.
 */
export function loadFilters(namesOrFiles: string[], extraDirs: string[] = [], loaded?: Map<string, CompiledFilter>): CompiledFilter[] {
  const wanted = namesOrFiles.length > 0 ? namesOrFiles : listFilterNames(shippedFiltersDir());
  const errors: MailjailError[] = [];
  const filters: CompiledFilter[] = [];
  for (const item of wanted) {
    try {
      const file = resolveFilter(item, extraDirs);
      let filter = loaded?.get(file);
      if (!filter) {
        filter = loadFilterFile(file);
        loaded?.set(file, filter);
      }
      filters.push(filter);
    } catch (e) {
      if (!(e instanceof MailjailError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    const problems = errors.flatMap((e) => (e.problems.length > 0 ? e.problems : [e.message]));
    throw new MailjailError('CONFIG', problems[0], problems);
  }
  return filters;
}

function resolveFilter(item: string, extraDirs: string[]): string {
  if (item.includes('/') || item.endsWith('.yaml') || item.endsWith('.yml')) return item;
  if (!/^[A-Za-z0-9][\w.-]*$/.test(item)) throw new MailjailError('CONFIG', `unknown filter "${item}"`);
  for (const dir of [...extraDirs, shippedFiltersDir()]) {
    const candidate = join(dir, `${item}.yaml`);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new MailjailError('CONFIG', `unknown filter "${item}"`);
}
