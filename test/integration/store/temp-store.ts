/** A fresh temp dir per test, and stores opened in it that are closed (and the dir removed) afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Strike } from '../../../src/core/types';
import { Store, type StoreOptions } from '../../../src/store/store';
import { STRIKE_COLUMNS, toStrike } from '../../../src/store/strike-rows';

/** Strikes with time >= sinceMs, oldest first, read from the file beside the store (the daemon itself streams eachStrikeFact). */
export function strikesSince(store: Store, sinceMs: number, jail?: string): Strike[] {
  const db = new Database(store.path, { readonly: true });
  try {
    const sql = `SELECT ${STRIKE_COLUMNS} FROM strikes WHERE time >= ?${jail ? ' AND jail = ?' : ''} ORDER BY time, id`;
    return db.prepare(sql).all(...(jail ? [sinceMs, jail] : [sinceMs])).map(toStrike);
  } finally {
    db.close();
  }
}

export interface TempStores {
  /** The current test's directory. */
  dir(): string;
  /** Path of the default database file in it. */
  dbPath(): string;
  open(options?: StoreOptions, path?: string): Store;
}

export function useTempStores(): TempStores {
  let dir = '';
  let opened: Store[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailjail-store-'));
  });
  afterEach(() => {
    for (const s of opened) s.close();
    opened = [];
    rmSync(dir, { recursive: true, force: true });
  });
  const dbPath = () => join(dir, 'mailjail.db');
  return {
    dir: () => dir,
    dbPath,
    open(options = {}, path = dbPath()) {
      const s = Store.open(path, options);
      opened.push(s);
      return s;
    },
  };
}
