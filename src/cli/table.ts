/** Plain aligned columns for a terminal; scripts use --json instead. */
export interface TableOptions {
  /** Lines are kept within this many columns: the `shrink` column gives way, then `drop` columns go. */
  maxWidth?: number;
  /** Index of the column that is cut (ending in `…`) when a line would be too wide. */
  shrink?: number;
  /** Indexes of columns left out, in this order, while the table is still too wide. */
  drop?: number[];
  out?: NodeJS.WritableStream;
}

/** The shrinkable column is never cut below this (nor below its header). */
const MIN_SHRUNK = 9;

export function printTable(headers: string[], rows: string[][], options: TableOptions = {}): void {
  const out = options.out ?? process.stdout;
  let columns = headers.map((_, i) => i);
  const natural = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const widths = [...natural];
  const { maxWidth, shrink } = options;
  const total = () => columns.reduce((a, i) => a + widths[i], 0) + 2 * (columns.length - 1);
  if (maxWidth !== undefined) {
    const floor = shrink === undefined ? 0 : Math.min(natural[shrink], Math.max(headers[shrink].length, MIN_SHRUNK));
    const shrinkToFit = () => {
      if (shrink === undefined) return;
      widths[shrink] = natural[shrink];
      widths[shrink] = Math.max(floor, natural[shrink] - Math.max(0, total() - maxWidth));
    };
    shrinkToFit();
    for (const d of options.drop ?? []) {
      if (total() <= maxWidth) break;
      columns = columns.filter((i) => i !== d);
      shrinkToFit();
    }
  }
  const fit = (c: string, i: number) => (c.length > widths[i] ? `${c.slice(0, widths[i] - 1)}…` : c);
  const line = (cells: string[]) =>
    columns
      .map((i, k) => (k === columns.length - 1 ? fit(cells[i] ?? '', i) : fit(cells[i] ?? '', i).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  out.write(`${line(headers)}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
}
