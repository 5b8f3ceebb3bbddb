/**
 * The error contract of a batch (issue 16 point 5, issue 17 point 2): a batch the consumer cannot
 * commit (a full disk, a locked database) is never skipped. Reading holds and the same batch is
 * offered again, 1 s after the failure, then 2, 4... up to 30 s apart, until it is taken; the log
 * says so once per streak at error priority, and status() shows the source as held and why.
 * Before, the source logged the failure and read on, so the batch's lines were lost for good.
 */
import type { HeldBatch, SourceBatch, SourceLog } from './source';

export interface BatchDelivery {
  /** Resolves true once `onBatch` took the batch, false when the source stopped first. */
  deliver(batch: SourceBatch): Promise<boolean>;
  /** The batch being held, if one is. */
  held(): HeldBatch | undefined;
  /** Ends a wait between attempts at once (the source is stopping). */
  wake(): void;
}

export interface DeliveryOptions {
  source: string;
  onBatch(batch: SourceBatch): void | Promise<void>;
  isRunning(): boolean;
  log: SourceLog;
  firstRetryMs?: number;
  maxRetryMs?: number;
}

export function createBatchDelivery(options: DeliveryOptions): BatchDelivery {
  const { source, log } = options;
  const firstRetryMs = options.firstRetryMs ?? 1000;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  let held: HeldBatch | undefined;
  let wake: (() => void) | null = null;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  return {
    async deliver(batch) {
      for (;;) {
        if (!options.isRunning()) return false;
        try {
          await options.onBatch(batch);
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          if (!held) {
            held = { since: Date.now(), attempts: 0, error };
            log('error', 'a batch could not be committed; reading holds and the same batch is retried', { source, error });
          }
          held.attempts++;
          held.error = error;
          if (!options.isRunning()) return false;
          await pause(Math.min(firstRetryMs * 2 ** (held.attempts - 1), maxRetryMs));
          continue;
        }
        if (held) {
          log('warn', 'the held batch was committed; reading resumes', { source, attempts: held.attempts + 1, heldMs: Date.now() - held.since });
          held = undefined;
        }
        return true;
      }
    },
    held: () => held,
    wake: () => wake?.(),
  };
}
