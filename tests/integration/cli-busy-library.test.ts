// Another program holding the library (BEGIN EXCLUSIVE, a long write) while an
// admin runs a command: one bilingual sentence and exit 3 (nothing done, try again),
// not a SqliteError stack and exit 70. The built bin (build lock), a real SQLite lock.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn } from '../fixtures/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-busy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('classboard on a library another program is writing to', () => {
  it('says the library is busy, in both languages, with exit 3 and no stack, through the router and outside it', async () => {
    const data = path.join(tmp, 'c');
    expect((await cliIn(data, 'status')).code).toBe(0);
    const csv = path.join(tmp, 'b.csv');
    fs.writeFileSync(csv, '星期,节次,开始,结束,班级,课程\n星期一,1,08:00,08:40,三（1）班,\n');
    const other = new Database(path.join(data, 'library.db'));
    other.exec('BEGIN EXCLUSIVE');
    try {
      for (const args of [['timetable', 'import', csv], ['settings', '--floor', '1GB'], ['feeds', 'remove', 'cn.none']]) {
        const r = await cliIn(data, ...args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(3);
        // Before: "timetable:import-csv failed: SqliteError: database is locked" and its stack, then "classboard: database is locked", exit 70.
        expect(r.stderr).toBe('classboard: 资料库正忙（另一个程序正在写入），请稍后再试 / the library is busy (another program is writing to it): try again in a moment\n');
      }
      const json = await cliIn(data, '--json', 'timetable', 'import', csv);
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stderr).error.code).toBe('unavailable');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await cliIn(data, 'timetable', 'import', csv)).code).toBe(0);
  }, 120_000);
});
