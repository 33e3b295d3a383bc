// `classboard … --help` as an admin reads it after an error sent them there
// ("用法见 classboard sync --help"), admin2 report #6: Chinese first on every option
// and command line, exit codes too, and no line past an 80-column terminal. The
// built CLI in a real process. Needs `electron-vite build` first (run under the build lock).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../fixtures/cli';

const CJK = /[\u3400-\u9fff]/;
/** Columns a line takes in a terminal: a Chinese character two. */
const columns = (line: string) => [...line].reduce((n, c) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(c) ? 2 : 1), 0);

let room: string;
beforeAll(() => {
  room = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-help-'));
});
afterAll(() => fs.rmSync(room, { recursive: true, force: true }));

describe('classboard --help', () => {
  it('every command’s --help is Chinese first on each option and command line, exit codes too, within 80 columns', async () => {
    const commands = ['', 'hub', 'import', 'sync', 'verify', 'export', 'timetable', 'timetable import', 'timetable list', 'feeds', 'feeds add', 'feeds list', 'feeds remove', 'keep', 'unkeep', 'selection', 'settings', 'search', 'status'];
    for (const c of commands) {
      const r = await cliIn(room, ...c.split(' ').filter(Boolean), '--help');
      expect(r.code, c).toBe(0);
      const lines = r.stdout.split('\n');
      for (const line of lines) expect(columns(line), `${c}: ${line}`).toBeLessThanOrEqual(80);
      // An item's first line: two spaces, then its flag or command name. Before: "--rate <rate>  night cap, e.g. 2mbit; 0 for none".
      const items = lines.filter((l) => /^ {2}\S/.test(l));
      expect(items.length, c).toBeGreaterThan(0);
      for (const item of items) expect(item, c).toMatch(CJK);
      expect(r.stdout).toMatch(/^用法 \/ Usage: classboard/);
      // The description opens in Chinese ("Classboard 课堂…" at the top).
      expect(lines[2], c).toMatch(/^.{0,11}[\u3400-\u9fff]/);
    }
    const sync = await cliIn(room, 'sync', '--help');
    expect(sync.stdout).toMatch(/退出码 \/ Exit codes:\n {2}0 {3}完成 \/ done\n {2}2 {3}有文件或目录没有同步成功/);
    expect(sync.stdout).toContain('--rate <rate>      限制下载速率');
    const settings = await cliIn(room, 'settings', '--help');
    expect(settings.stdout).toMatch(/--rate <rate> +夜间限速，如 2mbit；0 为不限 \/ night cap, e\.g\. 2mbit; 0/);
  });
});
