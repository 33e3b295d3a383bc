// A JSON value kept in the library's settings table under a key (the hub's
// upstream, the last sync, a recovered library, an export's selection). Read back
// through its schema: a row written by hand, damaged, or by a newer version reads
// as none rather than failing the command that asked.
import type { z } from 'zod';
import type { Db } from './db';

export function readSettingRow<T>(db: Db, key: string, schema: z.ZodType<T>): T | null {
  const raw = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeSettingRow(db: Db, key: string, value: unknown): void {
  db.prepare('INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
}
