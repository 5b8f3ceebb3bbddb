/**
 * Reloads and the stop run one at a time, in the order asked (issue 17): two interleaved reloads
 * would each open every source, and every line would then be counted twice by two readers nobody
 * stops. A reload asked for while another waits to begin joins the waiting one, which reads the
 * configuration after both asks.
 */
export class SerialSteps {
  private tail: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | null = null;

  /** Runs `step` after every step asked before it; its failure is its caller's, not the next step's. */
  run(step: () => Promise<void>): Promise<void> {
    const run = this.tail.then(step);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Like run, except that while a joinable step waits to begin, this ask is that step. */
  runJoinable(step: () => Promise<void>): Promise<void> {
    if (this.waiting) return this.waiting;
    const waiting = this.run(() => {
      this.waiting = null;
      return step();
    });
    this.waiting = waiting;
    return waiting;
  }
}
