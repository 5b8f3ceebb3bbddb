/**
 * The chokidar side: watch the directories patterns start in, report every path that may have
 * changed. chokidar's own `change` event is throttled (50 ms, trailing writes dropped), too slow
 * and too lossy for a p99 of 20 ms from append to firewall, so its unthrottled `raw` inotify
 * events are used as well; `add`/`change`/`unlink` still cover what `raw` may not name.
 */
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { FilePatterns } from './path-patterns';

export async function watchRoots(
  patterns: FilePatterns,
  onPath: (p: string) => void,
  onError: (e: unknown) => void,
): Promise<FSWatcher> {
  const watcher = watch(patterns.roots, {
    persistent: true,
    ignoreInitial: true,
    usePolling: false,
    awaitWriteFinish: false,
    // chokidar's atomic mode turns unlink+add into a 100 ms-late `change`: rotation must be seen as it is.
    atomic: false,
    ...(patterns.watchDepth !== undefined ? { depth: patterns.watchDepth } : {}),
    ignored: (p: string, stats?: { isDirectory(): boolean }) => patterns.isIgnored(p, stats),
  });
  watcher.on('raw', (_event, evPath: string | null, details) => {
    const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (!watched) return;
    // A file's own watcher names the file; a directory's watcher names the entry in it.
    if (!evPath || path.basename(watched) === evPath) onPath(watched);
    else onPath(path.join(watched, evPath));
  });
  for (const ev of ['add', 'change', 'unlink'] as const) watcher.on(ev, (p: string) => onPath(p));
  watcher.on('error', onError);
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return watcher;
}
