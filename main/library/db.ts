// Opens the library database: WAL, foreign keys, pending migrations in one
// transaction. A database from a newer app is refused untouched; a corrupt file is
// moved aside (kept for support) and a fresh library is created. On a full disk a
// current library is still opened, to read (see openOnFullDisk).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, diskFullError, isDiskFull } from '../api/errors';
import { z } from 'zod';
import { migrations } from './migrations';
import { readSettingRow, writeSettingRow } from './settings-row';

export type Db = Database.Database;

export interface OpenResult {
  db: Db;
  /** Set when a corrupt database was moved aside; the UI tells the user. */
  recoveredFrom: string | null;
}

export const SCHEMA_VERSION = migrations.length;

function configure(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

function refuseNewer(db: Db, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new AppError(
      'refused',
      `资料库 ${file} 由更新版本的 Classboard 创建（架构版本 ${current}，本程序支持 ${SCHEMA_VERSION}），已保持原样。请升级 Classboard。` +
        ` / The library was created by a newer Classboard (schema ${current} > ${SCHEMA_VERSION}); it was left untouched. Please update Classboard.`,
    );
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(migrations[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

function tryOpen(file: string): Db {
  const db = new Database(file);
  try {
    // Refuse a newer library before anything (even the WAL switch) writes to it.
    refuseNewer(db, file);
    // A cheap check that reads the schema and the first pages; a full
    // integrity_check on every start would be too slow on a board PC.
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok') {
      const e = new Error(`quick_check: ${String(check)}`) as Error & { code: string };
      e.code = 'SQLITE_CORRUPT';
      throw e;
    }
    configure(db);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Connections openOnFullDisk made: their writes fail while the disk stays full. */
const onFullDisk = new WeakSet<Db>();

/** Whether `db` was opened on a full disk (a command that must write says so at once, not half-way). */
export const openedOnFullDisk = (db: Db): boolean => onFullDisk.has(db);

/** Those connections by file: while one is open, no other connection can read its library. */
const heldByFile = new Map<string, Db>();

/**
 * The connection this thread opened on a full disk to `file`, while open: the
 * only one that can read that library (see openOnFullDisk), so the reads a
 * worker thread would do run on it instead (util/worker.ts).
 */
export function heldAlone(file: string): Db | null {
  const key = path.resolve(file);
  const db = heldByFile.get(key);
  if (db?.open) return db;
  heldByFile.delete(key);
  return null;
}

/**
 * A library on a full disk, opened to read: a WAL library's first read sizes its
 * -shm file (32 KiB), which a full disk refuses (SQLITE_IOERR_SHMSIZE), so every
 * command failed, `status` too. In exclusive locking mode, set before that read,
 * SQLite keeps the WAL index in this process's memory and writes nothing to read.
 * The price is that no other connection can use the library meanwhile, so only a
 * full disk gets it. A library still to be created or upgraded needs room: refused.
 */
function openOnFullDisk(file: string, cause: unknown): Db {
  const full = () => diskFullError(path.dirname(file));
  if (!fs.existsSync(file)) throw full();
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('busy_timeout = 5000');
    refuseNewer(db, file);
    if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) throw full();
    db.pragma('foreign_keys = ON');
    onFullDisk.add(db);
    heldByFile.set(path.resolve(file), db);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof AppError) throw err;
    // Another process holding the library, or the disk refusing even this: the full disk is what to fix.
    throw Object.assign(full(), { cause: cause ?? err });
  }
}

/** Opens (creating if needed) the library at `file`. */
export function openLibrary(file: string): OpenResult {
  const dir = path.dirname(file);
  try {
    fs.mkdirSync(dir, { recursive: true });
    return { db: tryOpen(file), recoveredFrom: null };
  } catch (err) {
    if (isDiskFull(err, dir)) return { db: openOnFullDisk(file, err), recoveredFrom: null };
    if (!isCorruption(err)) throw err;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside = `${file}.corrupt-${stamp}`;
    fs.renameSync(file, aside);
    for (const ext of ['-wal', '-shm']) {
      if (fs.existsSync(file + ext)) fs.renameSync(file + ext, aside + ext);
    }
    const db = tryOpen(file);
    // Kept in the new library, not only said once on stderr: `status` names it until a feed is subscribed again.
    writeSettingRow(db, RECOVERED_KEY, { from: aside, at: new Date().toISOString() });
    return { db, recoveredFrom: aside };
  }
}

const RECOVERED_KEY = 'library.recovered';
const Recovered = z.object({ from: z.string(), at: z.string() });

/** Where a corrupt library was moved when this one was made in its place, and when; null if it was not. */
export function libraryRecovery(db: Db): { from: string; at: string } | null {
  return readSettingRow(db, RECOVERED_KEY, Recovered);
}

/** A second connection to an existing library (worker threads, read-only tools). */
export function connectLibrary(file: string, opts: { readonly?: boolean } = {}): Db {
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: true });
  if (!opts.readonly) configure(db);
  else db.pragma('busy_timeout = 5000');
  const v = db.pragma('user_version', { simple: true }) as number;
  if (v !== SCHEMA_VERSION) {
    db.close();
    throw new AppError('refused', `library schema ${v} does not match this build (${SCHEMA_VERSION})`);
  }
  return db;
}

const kept = new Map<string, { db: Db; ino: number }>();

/**
 * A worker thread's connection, kept open between requests (a warm page cache is
 * most of a small request's speed). A library moved aside and recreated at the
 * same path is another file; a process that opens many (tests) keeps the newest few.
 */
export function keptConnection(file: string, opts: { readonly?: boolean } = {}, init: (db: Db) => void = () => {}): Db {
  // Its own connection would wait for the lock and fail: a request run on this thread (see heldAlone) reads the held one.
  const held = heldAlone(file);
  if (held) return held;
  const key = `${opts.readonly ? 'r' : 'w'}:${file}`;
  const ino = fs.statSync(file).ino;
  const known = kept.get(key);
  if (known && known.ino === ino && known.db.open) return known.db;
  known?.db.close();
  const db = connectLibrary(file, opts);
  init(db);
  kept.delete(key);
  kept.set(key, { db, ino });
  for (const [k, c] of kept) {
    if (kept.size <= 4) break;
    c.db.close();
    kept.delete(k);
  }
  return db;
}

/**
 * Drops the secondary indexes of `tables` for a bulk load and returns what
 * creates them again, from their own CREATE INDEX text: the load then sorts each
 * index once instead of inserting 150,000 keys at random places of its b-tree
 * (a third of a first import's insert time). Only inside the caller's write
 * transaction, which a failure before the rebuild must abort: the drop is rolled
 * back with the rows (a kill -9 too). Keys (PRIMARY KEY, UNIQUE) stay, as they check rows.
 */
export function deferIndexes(db: Db, tables: readonly string[]): () => void {
  if (!db.inTransaction) throw new Error('deferIndexes needs a write transaction');
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(tables)) as { name: string; sql: string }[];
  for (const { name } of indexes) db.exec(`DROP INDEX "${name.replace(/"/g, '""')}"`);
  return () => {
    for (const { sql } of indexes) db.exec(sql);
  };
}
