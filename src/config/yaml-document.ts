/**
 * YAML with line numbers. Config and filter files are validated with zod; a zod issue carries a
 * path (`jails.postfix.maxRetry`), and this maps that path back to the line it came from, so every
 * problem reads `file:line: path: message`.
 */
import type { LineCounter, Node, Document } from 'yaml';
import type { ZodError, ZodTypeAny, output } from 'zod';
import { cachedYamlValue, storeYamlValue } from './yaml-cache';

/** Required on first use: with every file in the cache, a start never loads the parser at all. */
function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

export interface YamlDocument {
  file: string;
  value: unknown;
  /** The 1-based line of the node at `path`, or of its nearest existing parent. */
  lineOf(path: ReadonlyArray<string | number>): number;
}

export function parseYaml(text: string, file: string): { doc?: YamlDocument; problems: string[] } {
  const cached = cachedYamlValue(text);
  if (cached !== undefined) {
    // line numbers are only wanted for a problem: parse for them then
    let parsed: YamlDocument | undefined;
    return { problems: [], doc: { file, value: cached, lineOf: (path) => (parsed ??= parseYamlText(text, file).doc!).lineOf(path) } };
  }
  const result = parseYamlText(text, file);
  if (result.doc) storeYamlValue(text, result.doc.value);
  return result;
}

function parseYamlText(text: string, file: string): { doc?: YamlDocument; problems: string[] } {
  const { LineCounter, parseDocument } = yaml();
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const problems = document.errors.map((e) => {
    const line = e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line;
    return `${file}:${line}: ${e.message.split('\n')[0]}`;
  });
  if (problems.length > 0) return { problems };
  let value: unknown;
  try {
    value = document.toJS() ?? {};
  } catch (e) {
    // The parser refuses aliases that expand past 100 copies (a "billion laughs" bomb): a config
    // error at the first alias, not a crash (issue 17).
    return { problems: [`${file}:${firstAliasLine(document, counter)}: ${(e as Error).message}; write the values out instead of nesting aliases`] };
  }
  return { problems: [], doc: { file, value, lineOf: (path) => lineOfPath(document, counter, path) } };
}

function firstAliasLine(document: Document, counter: LineCounter): number {
  const { visit } = yaml();
  let line = 1;
  visit(document, {
    Alias(_, node) {
      line = nodeLine(node, counter) ?? line;
      return visit.BREAK;
    },
  });
  return line;
}

function lineOfPath(document: Document, counter: LineCounter, path: ReadonlyArray<string | number>): number {
  const { isMap, isSeq, isScalar } = yaml();
  let node: unknown = document.contents;
  let line = nodeLine(node, counter) ?? 1;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      // the key's own line: for `jails.postfix` that is the `postfix:` line, not its first child
      line = nodeLine(pair.key, counter) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      line = nodeLine(node, counter) ?? line;
    } else break;
  }
  return line;
}

function nodeLine(node: unknown, counter: LineCounter): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? counter.linePos(range[0]).line : undefined;
}

/** Formats every zod issue as `file:line: a.b.c: message`. */
function formatZodIssues(doc: YamlDocument, error: ZodError): string[] {
  return error.issues.map((issue) => {
    let path = issue.path;
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      // point at the first unknown key itself, not at the object holding it
      path = [...path, issue.keys[0]];
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const shown = path.length > 0 ? path.join('.') : '(top level)';
    return `${doc.file}:${doc.lineOf(path)}: ${shown}: ${message}`;
  });
}

/** Validates a parsed document against a schema; returns the value or the formatted problems. */
export function validateYaml<S extends ZodTypeAny>(doc: YamlDocument, schema: S): { value?: output<S>; problems: string[] } {
  const result = schema.safeParse(doc.value);
  if (result.success) return { value: result.data, problems: [] };
  return { problems: formatZodIssues(doc, result.error) };
}
