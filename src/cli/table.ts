/** Plain aligned columns for a terminal; scripts use --json instead. */
export function printTable(headers: string[], rows: string[][], out: NodeJS.WritableStream = process.stdout): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  out.write(`${line(headers)}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
}
