/**
 * Is anything stuck? The three things a silent ban daemon hides (issue 14): a firewall action that
 * keeps failing, a source that is missing or unreadable for a while, a kernel set that drifts from
 * the database. `mailjail status` exits non-zero on any of them, and says which and what to do.
 *
 * "For a while" is `metrics.sourceGrace` (default 60 s): a log rotated by delete-and-create has
 * no file for a moment, and must not make status fail. A drift stays reported for two reconcile
 * intervals after it was found (the reconcile puts it right at once, but it will come back). The tracker is evaluated every few seconds (and on every ask),
 * so a problem's age is known even when nobody asked before.
 */
import type { JailMeter } from './jail-meter';
import type { JailView, MetricsView } from './view';

export type ProblemKind = 'action' | 'source-missing' | 'source-unreadable' | 'drift';

export interface Problem {
  kind: ProblemKind;
  jail: string;
  /** The action name or the source's id. */
  subject: string;
  /** Epoch ms the problem was first seen. */
  since: number;
  message: string;
  /** What to do about it. */
  hint: string;
}

export class HealthTracker {
  /** problem key -> first seen (ms); a key not seen in an evaluation is dropped. */
  private firstSeen = new Map<string, number>();

  constructor(
    private readonly view: MetricsView,
    private readonly meterOf: (jail: string) => JailMeter | undefined,
  ) {}

  /** Every problem present now; sources only once they have lasted `sourceGraceMs`. */
  evaluate(now: number): Problem[] {
    const seen = new Map<string, number>();
    const problems: Problem[] = [];
    const note = (key: string, p: Omit<Problem, 'since'>, graceMs: number) => {
      const since = this.firstSeen.get(key) ?? now;
      seen.set(key, since);
      if (now - since >= graceMs) problems.push({ ...p, since });
    };
    for (const jail of this.view.jails()) {
      this.actionProblem(jail, note);
      this.sourceProblems(jail, note);
      this.driftProblem(jail, now, note);
    }
    this.firstSeen = seen;
    return problems;
  }

  private actionProblem(jail: JailView, note: Note): void {
    const a = jail.action;
    if (a.ok) return;
    note(
      `action:${jail.name}:${a.name}`,
      {
        kind: 'action',
        jail: jail.name,
        subject: a.name,
        message: `firewall action ${a.name} of jail ${jail.name} is failing (${a.failures} failed batches, ${a.pending} changes waiting): ${a.lastError ?? 'unknown error'}`,
        hint: `bans are kept in the database and retried every minute at most; run the failing command by hand, see journalctl -u mailjail -p err, and check that nft/ipset work as root`,
      },
      0,
    );
  }

  private sourceProblems(jail: JailView, note: Note): void {
    for (const s of jail.sources) {
      if (s.kind === 'file' && s.files.length === 0) {
        note(
          `missing:${s.id}`,
          {
            kind: 'source-missing',
            jail: jail.name,
            subject: s.id,
            message: `source ${s.id}: no file matches (for over ${this.view.sourceGraceMs / 1000} s); jail ${jail.name} reads nothing from it`,
            hint: `check the path under sources: in jails.d (a typo?), and that the mail server logs there (on a journal-only system use a journal: source)`,
          },
          this.view.sourceGraceMs,
        );
      }
      if (s.error === undefined) continue;
      // An error a later read has overcome is history, not a problem: key by the error's text and
      // report it only while nothing was read since it was first seen.
      const key = `unreadable:${s.id}:${s.error}`;
      const since = this.firstSeen.get(key);
      if (since !== undefined && s.lastReadAt !== undefined && s.lastReadAt > since) continue;
      note(
        key,
        {
          kind: 'source-unreadable',
          jail: jail.name,
          subject: s.id,
          message: `source ${s.id} cannot be read: ${s.error}`,
          hint: `check the file's permissions (the service reads with CAP_DAC_READ_SEARCH) or, for a journal source, that journalctl runs`,
        },
        this.view.sourceGraceMs,
      );
    }
  }

  private driftProblem(jail: JailView, now: number, note: Note): void {
    const r = this.meterOf(jail.name)?.lastDrift;
    if (!r || now - r.at > 2 * this.view.reconcileIntervalMs + 5_000) return;
    note(
      `drift:${jail.name}`,
      {
        kind: 'drift',
        jail: jail.name,
        subject: jail.action.name,
        message: `the kernel's sets of jail ${jail.name} drifted from the database at a reconcile ${Math.round((now - r.at) / 1000)} s ago (${r.missing} bans missing, ${r.extra} foreign addresses); mailjail put them right`,
        hint: `something else changes mailjail's firewall table: a firewall reload (nftables.service, iptables-restore), nft flush ruleset, or a second mailjail on the same table; find it and make it leave the table alone`,
      },
      0,
    );
  }
}

type Note = (key: string, p: Omit<Problem, 'since'>, graceMs: number) => void;
