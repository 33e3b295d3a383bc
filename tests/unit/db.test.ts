import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, SCHEMA_VERSION } from '../../main/library/db';
import { migrations } from '../../main/library/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-db-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('library database', () => {
  it('creates a fresh library in WAL mode with foreign keys and every migration applied', () => {
    const { db, recoveredFrom } = openLibrary(path.join(dir, 'library.db'));
    expect(recoveredFrom).toBeNull();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const tables = db
      .prepare("select name from sqlite_master where type='table'")
      .all()
      .map((r) => (r as { name: string }).name);
    for (const t of ['feeds', 'nodes', 'resources', 'resource_files', 'favourites', 'recent', 'lesson_plans', 'annotations', 'timetable', 'usage_events']) {
      expect(tables).toContain(t);
    }
    db.close();
  });

  it('reopens an existing library without re-running migrations and keeps its data', () => {
    const file = path.join(dir, 'library.db');
    const a = openLibrary(file).db;
    a.prepare('insert into favourites(resource_id, created_at) values (?, ?)').run('demo/r1', 1);
    a.close();
    const b = openLibrary(file).db;
    expect(b.prepare('select count(*) n from favourites').get()).toEqual({ n: 1 });
    b.close();
  });

  it('upgrades a library from before kept counts: each feed gets the counts of the rows it has', () => {
    const file = path.join(dir, 'library.db');
    const raw = new Database(file);
    for (const m of migrations.slice(0, 3)) raw.exec(m);
    raw.pragma('user_version = 3');
    raw.exec(`insert into feeds(id, title, source) values ('a', 'A', '/a'), ('b', 'B', '/b');
      insert into nodes(id, feed_id, parent, kind, title, ord) values ('a/n', 'a', null, 'lesson', '课', 0);
      insert into resources(id, feed_id, shard, node_id, type, title) values ('a/r1', 'a', 's', 'a/n', 'video', '一'), ('a/r2', 'a', 's', 'a/n', 'pdf', '二');`);
    raw.close();
    const { db } = openLibrary(file);
    expect(db.prepare('select id, resource_count, node_count from feeds order by id').all()).toEqual([
      { id: 'a', resource_count: 2, node_count: 1 },
      { id: 'b', resource_count: 0, node_count: 0 },
    ]);
    db.close();
  });

  it('refuses a library from a newer version and leaves the file byte-for-byte untouched', () => {
    const file = path.join(dir, 'library.db');
    const raw = new Database(file);
    raw.exec('create table future(x)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    const before = fs.readFileSync(file);
    expect(() => openLibrary(file)).toThrow(/newer/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('moves a corrupt file aside, keeps it, and creates a fresh library', () => {
    const file = path.join(dir, 'library.db');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const { db, recoveredFrom } = openLibrary(file);
    expect(recoveredFrom).toMatch(/library\.db\.corrupt-/);
    expect(fs.readFileSync(recoveredFrom!).length).toBe(8192);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('rolls back every pending migration together when one fails', async () => {
    // Simulate a half-applied upgrade: a table the first migration creates already exists.
    const file = path.join(dir, 'library.db');
    const raw = new Database(file);
    raw.exec('create table feeds(x)');
    raw.close();
    expect(() => openLibrary(file)).toThrow(/feeds already exists/);
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(0);
    expect(check.prepare("select count(*) n from sqlite_master where name='nodes'").get()).toEqual({ n: 0 });
    check.close();
  });
});
