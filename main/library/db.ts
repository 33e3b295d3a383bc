// Opens the library database: WAL, foreign keys, pending migrations in one
// transaction. A database from a newer app is refused untouched; a corrupt file is
// moved aside (kept for support) and a fresh library is created.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../api/errors';
import { migrations } from './migrations';

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

/** Opens (creating if needed) the library at `file`. */
export function openLibrary(file: string): OpenResult {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    return { db: tryOpen(file), recoveredFrom: null };
  } catch (err) {
    if (!isCorruption(err)) throw err;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside = `${file}.corrupt-${stamp}`;
    fs.renameSync(file, aside);
    for (const ext of ['-wal', '-shm']) {
      if (fs.existsSync(file + ext)) fs.renameSync(file + ext, aside + ext);
    }
    return { db: tryOpen(file), recoveredFrom: aside };
  }
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
