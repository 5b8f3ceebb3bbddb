/**
 * The layers, written down where they are checked (ARCHITECTURE.md draws them). Every import in
 * src/ is parsed (static, type-only, re-export, require and dynamic import alike); an import must
 * point to the same folder or a lower layer, the pure layers use no Node module, and no files
 * import each other in a circle. A new folder fails here until it is given its place. And issue
 * 16's size bar: no file over 220 lines, no function over 80.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const SRC = resolve(__dirname, '../src');

/** Lowest first. A folder may import its own files and folders of lower layers, nothing else. */
const LAYERS: string[][] = [
  ['core'], // ip, clock, errors, durations, names, the glossary's types
  ['match', 'decide'], // line -> Failure; strikes -> bans
  ['config'], // YAML -> JailConfig (compiles filters, resolves rules)
  ['process'], // child processes: the one place that spawns
  ['sources', 'store', 'enforce'], // logs in, SQLite, the kernel's firewall
  ['control', 'metrics', 'fleet'], // the socket, Prometheus, other nodes
  ['daemon'], // the wiring
  ['cli'], // the commands
];

/**
 * Folders that do no I/O: no Node module at all. config reads its own files (and caches them) and
 * switches on V8's linear regex engine before the first filter compiles (config/regexp-engine.ts).
 */
const NODE_ALLOWED: Record<string, string[]> = {
  core: [],
  match: [],
  decide: [],
  config: ['node:fs', 'node:path', 'node:os', 'node:v8'],
};

/** Node modules only one folder may use. */
const NODE_OWNED: Record<string, string> = { 'node:child_process': 'process' };

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function layerOf(folder: string): number {
  return LAYERS.findIndex((names) => names.includes(folder));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** `src/x/y.ts` -> `x` (a file straight in src/ is its own folder, named by its file). */
function folderOf(file: string): string {
  return relative(SRC, file).split('/')[0].replace(/\.ts$/, '');
}

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next form
    }
  }
  return null;
}

interface Import {
  from: string;
  spec: string;
  /** The src/ file it resolves to, for a relative import of a source file. */
  target: string | null;
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map(({ fileName: spec }) => ({
    from: file,
    spec,
    target: spec.startsWith('.') && !spec.endsWith('.json') ? resolveImport(file, spec) : null,
  }));
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);
const rel = (f: string) => relative(SRC, f);

describe('layers', () => {
  it('gives every folder of src/ a place in the layer order', () => {
    const unplaced = [...new Set(files.map(folderOf))].filter((f) => layerOf(f) < 0);
    expect(unplaced).toEqual([]);
  });

  it('has every import between folders point to a lower layer', () => {
    const upward = imports
      .filter((i) => i.target && folderOf(i.from) !== folderOf(i.target))
      .filter((i) => layerOf(folderOf(i.target!)) >= layerOf(folderOf(i.from)))
      .map((i) => `${rel(i.from)} imports ${rel(i.target!)} (${folderOf(i.from)} may not import ${folderOf(i.target!)})`);
    expect(upward).toEqual([]);
  });

  it('resolves every relative import to a file in src/', () => {
    const broken = imports.filter((i) => i.spec.startsWith('.') && !i.spec.endsWith('.json') && !i.target).map((i) => `${rel(i.from)}: ${i.spec}`);
    expect(broken).toEqual([]);
  });

  it('keeps core, match and decide free of Node modules, and config to reading its files', () => {
    const impure = imports
      .filter((i) => NODE_BUILTINS.has(i.spec) && folderOf(i.from) in NODE_ALLOWED)
      .filter((i) => !NODE_ALLOWED[folderOf(i.from)].includes(i.spec.startsWith('node:') ? i.spec : `node:${i.spec}`))
      .map((i) => `${rel(i.from)} imports ${i.spec}`);
    expect(impure).toEqual([]);
  });

  it('spawns child processes from src/process/ only', () => {
    const spawners = imports
      .filter((i) => NODE_BUILTINS.has(i.spec))
      .map((i) => ({ file: i.from, mod: i.spec.startsWith('node:') ? i.spec : `node:${i.spec}` }))
      .filter(({ file, mod }) => NODE_OWNED[mod] !== undefined && NODE_OWNED[mod] !== folderOf(file))
      .map(({ file, mod }) => `${rel(file)} imports ${mod} (only ${NODE_OWNED[mod]}/ may)`);
    expect(spawners).toEqual([]);
  });

  it('has no files importing each other in a circle', () => {
    const edges = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const i of imports) if (i.target) edges.get(i.from)!.push(i.target);
    expect(cyclesOf(edges).map((c) => c.map(rel).join(' -> '))).toEqual([]);
  });
});

/** Every circle of a directed graph, each named once (by a depth-first walk; enough for a few hundred files). */
function cyclesOf(edges: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return found;
}

/** Issue 16's bar, for new code too: a file says one thing, a function fits a screen or two. */
const MAX_FILE_LINES = 220;
const MAX_FUNCTION_LINES = 80;

describe('size', () => {
  it(`has no file in src/ over ${MAX_FILE_LINES} lines`, () => {
    const long = files.map((f) => ({ f, n: readFileSync(f, 'utf8').split('\n').length - 1 })).filter(({ n }) => n > MAX_FILE_LINES);
    expect(long.map(({ f, n }) => `${rel(f)}: ${n} lines`)).toEqual([]);
  });

  it(`has no function in src/ over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(files.flatMap(longFunctionsOf)).toEqual([]);
  });
});

/** Functions, methods, accessors, constructors and arrow functions longer than the bar, each measured from its first line to its last. */
function longFunctionsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) found.push(`${rel(file)}:${first + 1}: ${nameOf(node)} is ${lines} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function nameOf(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText();
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText();
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  return ts.isConstructorDeclaration(node) ? 'constructor' : 'a function';
}
