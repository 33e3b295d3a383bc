// Timetables come from spreadsheets: 星期,节次,开始,结束,班级,课程 (or English
// headers). A lesson is named by its resource id or found by its title.
import type { z } from 'zod';
import { TimetableEntryInput } from '../../preload/contract/timetable';
import { AppError } from '../api/errors';

const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

/** Splits one CSV line (quotes, doubled quotes, commas inside quotes). */
function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === '，' || c === '\t') (out.push(cur.trim()), (cur = ''));
    else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function weekday(v: string): number {
  const n = Number(v);
  if (Number.isInteger(n) && n >= 1 && n <= 7) return n;
  const m = /^(?:星期|周|礼拜)?([一二三四五六日天])$/.exec(v);
  if (m) return WEEKDAYS[m[1]!]!;
  const en = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(v.slice(0, 3).toLowerCase());
  if (en >= 0) return en + 1;
  throw new Error(`unknown weekday "${v}"`);
}

function isWeekday(v: string): boolean {
  try {
    weekday(v);
    return true;
  } catch {
    return false;
  }
}

// Excel's time format writes 8:00:00; seconds other than 00 would be lost, so they are refused.
const time = (v: string) => {
  const m = /^(\d{1,2})[:：](\d{2})(?:[:：]00)?$/.exec(v);
  if (!m) throw new Error(`time "${v}" is not HH:MM`);
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
};

/**
 * Parses a timetable CSV. `resolve` turns the lesson cell (an id or a title) into a
 * resource id, or null when the period has no lesson set.
 */
export function parseTimetableCsv(text: string, resolve: (cell: string) => string | null): z.output<typeof TimetableEntryInput>[] {
  // Blank lines and rows of empty cells (Excel writes ",,,,," for formatted empty cells)
  // are skipped; each row keeps its line number in the file so an error names the right one.
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line, i) => ({ cells: splitLine(line), lineNo: i + 1 }))
    .filter((l) => l.cells.some((c) => c !== ''));
  // A first line whose first cell is a weekday ("星期一", "Mon") is a lesson, not a header.
  const first = lines.length > 0 ? lines[0]!.cells : [];
  const hasHeader = first.length > 0 && !isWeekday(first[0]!) && first.some((c) => /星期|weekday|day|节次|period/i.test(c));
  const rows = hasHeader ? lines.slice(1) : lines;
  // Importing replaces the timetable: a file without lessons is a mistake, not a wish to clear it.
  if (rows.length === 0) throw new AppError('bad-request', '课表文件里没有课 / the timetable file lists no periods');
  return rows.map(({ cells, lineNo }) => {
    const [day = '', period = '', starts = '', ends = '', className = '', lesson = ''] = cells;
    try {
      const parsed = TimetableEntryInput.safeParse({
        weekday: weekday(day),
        period: Number(period),
        starts: time(starts),
        ends: time(ends),
        className,
        resourceId: lesson ? resolve(lesson) : null,
      });
      if (!parsed.success) throw new Error(parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '));
      const entry = parsed.data;
      if (lesson && entry.resourceId === null) throw new Error(`no lesson "${lesson}" in the library`);
      return entry;
    } catch (err) {
      throw new AppError('bad-request', `课表第 ${lineNo} 行无法识别 / timetable line ${lineNo}: ${(err as Error).message}`);
    }
  });
}
