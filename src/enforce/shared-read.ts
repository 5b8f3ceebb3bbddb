/**
 * Reads of the firewall's state asked for within one turn of the event loop share one process (the
 * read-side sibling of script-batcher.ts): every jail's first setup at start lists the table once.
 */
const reads = new Map<string, Promise<unknown>>();

/**
 * Reads asked for during one turn share one run of `read`, which starts after that turn: so it
 * sees everything done before any of the asks (every jail's first setup at start reads the table
 * once, not once per jail). An ask after the run has started gets a run of its own.
 */
export function sharedRead<T>(key: string, read: () => Promise<T>): Promise<T> {
  let pending = reads.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = new Promise<T>((resolve, reject) =>
      setImmediate(() => {
        reads.delete(key);
        read().then(resolve, reject);
      }),
    );
    reads.set(key, pending);
  }
  return pending;
}
