/**
 * Scripts handed in during one turn of the event loop go to the firewall tool as one script. The
 * daemon builds every jail at start, and each jail's nft setup used to be its own process: five
 * `nft -f -` at once each read the ruleset and took turns on the kernel's commit lock (measured:
 * ~40 ms more to ready on a restart, when the table is already there). One transaction for all.
 *
 * The tool applies a script all or nothing, so when a joint script fails nobody knows whose line
 * it was: every member then runs its own script alone and gets that result (its own error, or its
 * own success), exactly what it would have got without batching.
 */
import type { CommandResult } from '../process/run-command';

type Run = (lines: string[]) => Promise<CommandResult>;

interface Member {
  lines: string[];
  resolve: (r: CommandResult) => void;
}

export class ScriptBatcher {
  private pending: Member[] = [];

  constructor(private readonly run: Run) {}

  submit(lines: string[]): Promise<CommandResult> {
    return new Promise((resolve) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ lines, resolve });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 1) {
      const joint = await this.run(batch.flatMap((m) => m.lines));
      if (joint.code === 0) {
        for (const m of batch) m.resolve(joint);
        return;
      }
    }
    await Promise.all(batch.map(async (m) => m.resolve(await this.run(m.lines))));
  }
}

const shared = new Map<string, ScriptBatcher>();

/** One batcher per key (the command and its namespace wrapper), made with `run` on first use. */
export function sharedBatcher(key: string, run: Run): ScriptBatcher {
  let b = shared.get(key);
  if (!b) shared.set(key, (b = new ScriptBatcher(run)));
  return b;
}
