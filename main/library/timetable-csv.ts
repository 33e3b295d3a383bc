// Timetables come from spreadsheets: 星期,节次,开始,结束,班级,课程 (or English
// headers). A lesson is named by its resource id or found by its title.
import type { z } from 'zod';
import { TimetableEntryInput, type UnmatchedLesson } from '../../preload/contract/timetable';
import { AppError } from '../api/errors';

type Entry = z.output<typeof TimetableEntryInput>;

const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

/** A row the file cannot be imported with: what is wrong, in both languages. */
class RowProblem extends Error {
  constructor(
    readonly zh: string,
    en: string,
  ) {
    super(en);
  }
}

/**
 * Splits one CSV line (quotes, doubled quotes, separators inside quotes). `fullWidth`:
 * the file separates its cells with "，" (typed by hand in a Chinese input method);
 * otherwise "，" is text, as in Excel's files, which quote only cells with an ASCII comma.
 */
function splitLine(line: string, fullWidth: boolean): string[] {
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
    else if (fullWidth ? c === '，' : c === ',' || c === '\t') (out.push(cur.trim()), (cur = ''));
    else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function weekday(v: string): number {
  const n = Number(v);
  if (v !== '' && Number.isInteger(n) && n >= 1 && n <= 7) return n;
  const m = /^(?:星期|周|礼拜)?([一二三四五六日天])$/.exec(v);
  if (m) return WEEKDAYS[m[1]!]!;
  const en = v.length >= 3 ? ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(v.slice(0, 3).toLowerCase()) : -1;
  if (en >= 0) return en + 1;
  throw new RowProblem(
    v === '' ? '星期一栏是空的，请写星期一到星期日（或 1 到 7）' : `星期“${v}”无法识别，请写成星期一到星期日（或 1 到 7）`,
    `unknown weekday "${v}"`,
  );
}

function isWeekday(v: string): boolean {
  try {
    weekday(v);
    return true;
  } catch {
    return false;
  }
}

function period(v: string): number {
  const n = Number(v);
  if (/^\d+$/.test(v) && n >= 1 && n <= 20) return n;
  throw new RowProblem(
    v === '' ? '节次一栏是空的，请写 1 到 20 的整数' : `节次“${v}”无法识别，请写成 1 到 20 的整数`,
    `period "${v}" is not a whole number from 1 to 20`,
  );
}

/**
 * A time as HH:MM. Excel's time format writes 8:00:00 (seconds other than 00 would be
 * lost, so they are refused), and a Chinese Excel's 12-hour format 上午8:50 / 下午2:10.
 */
function time(v: string, column: '开始' | '结束'): string {
  const m = /^(上午|下午|AM|PM)?\s*(\d{1,2})[:：](\d{2})(?:[:：]00)?\s*(AM|PM)?$/i.exec(v);
  const half = (m?.[1] ?? m?.[4])?.toUpperCase();
  let h = Number(m?.[2]);
  const min = Number(m?.[3]);
  // 12-hour: 上午12:10 is just after midnight, 下午12:10 just after noon; 下午14:10 is already 24-hour.
  if (half && h === 12) h = half === '上午' || half === 'AM' ? 0 : 12;
  else if ((half === '下午' || half === 'PM') && h < 12) h += 12;
  if (!m || (m[1] && m[4]) || h > 23 || min > 59 || ((half === '上午' || half === 'AM') && h > 12)) {
    throw new RowProblem(
      v === '' ? `${column}时间一栏是空的，请写成 08:50 这样的 24 小时制` : `${column}时间“${v}”无法识别，请写成 08:50 这样的 24 小时制`,
      `${column === '开始' ? 'start' : 'end'} time "${v}" is not HH:MM`,
    );
  }
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}

/**
 * Parses a timetable CSV. `resolve` lists the resources a lesson cell (an id or a
 * title) names. A cell naming exactly one links it; one naming none or several (a
 * subject such as 数学, a lesson's own wording, a title shared by many) leaves the
 * period without a lesson and is listed in `unmatched` (`lines`: each entry's line), so a school's real timetable
 * imports whole. A row that is itself broken refuses the file, since importing
 * replaces the timetable.
 */
export function parseTimetableCsv(text: string, resolve: (cell: string) => string[]): { entries: Entry[]; lines: number[]; unmatched: UnmatchedLesson[] } {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  // Decided for the whole file: any ASCII comma or tab means "，" is part of the text.
  const fullWidth = !raw.some((line) => /[,\t]/.test(line));
  // Blank lines and rows of empty cells (Excel writes ",,,,," for formatted empty cells)
  // are skipped; each row keeps its line number in the file so an error names the right one.
  const lines = raw
    .map((line, i) => ({ line, lineNo: i + 1 }))
    .filter(({ line }) => line.replace(/[,，\t"\s]/g, '') !== '')
    .map(({ line, lineNo }) => ({ cells: splitLine(line, fullWidth), lineNo }));
  // A first line whose first cell is a weekday ("星期一", "Mon"), or with a period or a time in it ("星期八,1,8:00"), is a lesson, not a header.
  const first = lines.length > 0 ? lines[0]!.cells : [];
  const hasHeader =
    first.length > 0 && !isWeekday(first[0]!) && !first.slice(1, 4).some((c) => /\d/.test(c)) && first.some((c) => /星期|weekday|day|节次|period/i.test(c));
  const rows = hasHeader ? lines.slice(1) : lines;
  // Importing replaces the timetable: a file without lessons is a mistake, not a wish to clear it.
  if (rows.length === 0) throw new AppError('bad-request', '课表文件里没有课 / the timetable file lists no periods');
  const unmatched: UnmatchedLesson[] = [];
  const entries = rows.map(({ cells, lineNo }) => {
    const [day = '', num = '', starts = '', ends = '', className = ''] = cells;
    // Typed with "，" between cells, a title's own "，" splits it: the lesson is the last column, so the rest is its.
    const lesson = fullWidth ? cells.slice(5).join('，').replace(/[，\s]+$/, '') : (cells[5] ?? '');
    try {
      const entry = { weekday: weekday(day), period: period(num), starts: time(starts, '开始'), ends: time(ends, '结束'), className, resourceId: null as string | null };
      if (entry.ends <= entry.starts) throw new RowProblem(`结束时间 ${entry.ends} 须晚于开始时间 ${entry.starts}`, 'a period must end after it starts');
      if (className.length > 100) throw new RowProblem('班级一栏超过 100 个字，请写短一些', 'the class name is longer than 100 characters');
      if (lesson) {
        const ids = resolve(lesson);
        if (ids.length === 1) entry.resourceId = ids[0]!;
        else unmatched.push({ line: lineNo, cell: lesson, matches: ids.length });
      }
      const parsed = TimetableEntryInput.safeParse(entry);
      if (!parsed.success) throw new RowProblem('这一行无法识别', parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '));
      return parsed.data;
    } catch (err) {
      const zh = err instanceof RowProblem ? err.zh : '这一行无法识别';
      throw new AppError('bad-request', `课表第 ${lineNo} 行：${zh} / timetable line ${lineNo}: ${(err as Error).message}`);
    }
  });
  // Each entry's line in the file, so an unmatched row can be told apart once its period keeps a chosen lesson.
  return { entries, lines: rows.map((r) => r.lineNo), unmatched };
}
