/**
 * The hostile-line guard (issue 17 point 5). Every regex is bounded (bounded-regexp.ts); this
 * bounds a line's total: a line whose rules take longer than the budget is skipped, reported and
 * never retried. Time comes from injected clocks (match/ is pure).
 */
import type { LineEvent } from '../core/types';
import type { CompiledRule } from './compile-filter';

export interface LineBudgetOptions {
  /** Wall time in ms; without it no line is timed. */
  clock?: () => number;
  /** A line whose rules take over this long is skipped (default 100). */
  lineBudgetMs?: number;
  /** CPU time of this process in ms: confirms an overrun that the wall clock saw (a stall is not one). */
  cpuClock?: () => number;
  onOverBudget?: (ev: LineEvent, elapsedMs: number, rule: string) => void;
}

export class LineBudget {
  private readonly budgetMs: number;

  constructor(
    private readonly clock: () => number,
    private readonly options: LineBudgetOptions,
  ) {
    this.budgetMs = options.lineBudgetMs ?? 100;
  }

  /** The moment a line's rules start: hand it back to isOver after each rule. */
  start(): number {
    return this.clock();
  }

  /** Has the line spent its budget by `rule` (run at `at`)? Reports it when so. */
  isOver(ev: LineEvent, started: number, rule: CompiledRule, at: number): boolean {
    const elapsed = this.clock() - started;
    if (elapsed <= this.budgetMs || this.isStall(rule, ev.text, at)) return false;
    this.options.onOverBudget?.(ev, elapsed, rule.id);
    return true;
  }

  /** Wall time also runs while the process waits (a loaded machine, a GC pause, SIGSTOP): only a
   *  rule that burns the budget again on the CPU is hostile. A hostile line is matched twice. */
  private isStall(rule: CompiledRule, text: string, at: number): boolean {
    const cpu = this.options.cpuClock;
    if (!cpu) return false;
    const before = cpu();
    rule.re.lastIndex = at;
    rule.re.exec(text);
    return cpu() - before <= this.budgetMs;
  }
}
