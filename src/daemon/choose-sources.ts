/**
 * What each source of a jail will actually read, decided when the jail starts (and on reload),
 * and what is wrong with it. A daemon must never watch nothing in silence (issue 15): a missing
 * log file, an unreadable one, a missing journal or journalctl is named in a warning, and a file
 * source with `orJournal` follows the journal instead when no file matches (Debian 12/13 without
 * rsyslog has no /var/log/mail.log: Postfix logs only to the journal).
 */
import { constants, existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import type { JournalSpec, SourceSpec } from '../config/resolve-jail';
import { compilePatterns } from '../sources/path-patterns';

export type ChosenSource = { file: string } | { journal: JournalSpec };

export interface SourceChoice {
  source: ChosenSource;
  /** Why this source reads nothing now (missing, unreadable): logged as a warning. */
  problem?: string;
  /** Said once at start: the journal was chosen because the file is missing. */
  note?: string;
}

export async function chooseSource(spec: SourceSpec): Promise<SourceChoice> {
  if ('journal' in spec) return { source: spec, problem: journalProblem(spec.journal) };
  const pattern = resolve(spec.file);
  const files = await compilePatterns([pattern]).list();
  if (files.length === 0 && spec.orJournal) {
    return { source: { journal: spec.orJournal }, problem: journalProblem(spec.orJournal), note: `no file matches ${pattern}: following the journal instead` };
  }
  if (files.length === 0) return { source: { file: pattern }, problem: noFileMatches(pattern) };
  const unreadable: string[] = [];
  for (const f of files) {
    try {
      await access(f, constants.R_OK);
    } catch (e) {
      unreadable.push(`${f} (${(e as NodeJS.ErrnoException).code})`);
    }
  }
  return { source: { file: pattern }, problem: unreadable.length ? `cannot read ${unreadable.join(', ')}` : undefined };
}

/** A file source that follows no file: said at start (a warning) and by `status` while it lasts. */
export function noFileMatches(pattern: string): string {
  return `no file matches ${pattern}: nothing is read from it until it appears`;
}

function journalProblem(j: JournalSpec): string | undefined {
  if (!onPath('journalctl')) return 'journalctl is not installed: the journal cannot be read';
  if (j.directory !== undefined) return existsSync(j.directory) ? undefined : `journal directory ${resolve(j.directory)} does not exist`;
  if (!existsSync('/var/log/journal') && !existsSync('/run/log/journal')) return 'no system journal here (neither /var/log/journal nor /run/log/journal exists)';
  return undefined;
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, program)));
}
