// Timetables come from spreadsheets: 星期,节次,开始,结束,班级,课程 (or English
// headers; the header may sit below the sheet's title). A lesson is named by its resource or lesson id, or found by its title.
import type { z } from 'zod';
import { TimetableEntryInput, type ImportWarning, type SkippedRow, type UnmatchedLesson } from '../../preload/contract/timetable';
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
    // "星期一栏" would read as "the 星期一 (Monday) column": each column is named as 这一栏.
    v === '' ? '星期这一栏是空的，请写星期一到星期日（或 1 到 7）' : `星期“${v}”无法识别，请写成星期一到星期日（或 1 到 7）`,
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

const DIGIT = '一二三四五六七八九';

/** 一 … 二十九 as a number (十一 is 11, 二十 is 20); null for anything else. */
function chineseNumber(v: string): number | null {
  const d = (c: string) => DIGIT.indexOf(c) + 1;
  if (v.length === 1) return v === '十' ? 10 : d(v) || null;
  const m = /^([一二]?)十([一二三四五六七八九]?)$/.exec(v);
  return m ? (m[1] ? d(m[1]) : 1) * 10 + (m[2] ? d(m[2]) : 0) : null;
}

/** A period's number: 3, and as a school's sheet often writes it, 第3节, 3节, 第三节 or 三. */
function period(v: string): number {
  const m = /^第?\s*(\d+|[一二三四五六七八九十]+)\s*节?$/.exec(v);
  const n = m ? (/^\d+$/.test(m[1]!) ? Number(m[1]) : chineseNumber(m[1]!)) : NaN;
  if (m && n !== null && n >= 1 && n <= 20) return n;
  throw new RowProblem(
    v === '' ? '节次这一栏是空的，请写 1 到 20 的整数' : `节次“${v}”无法识别，请写成 1 到 20 的整数`,
    `period "${v}" is not a whole number from 1 to 20`,
  );
}

/**
 * A time as HH:MM. Excel's time format writes 8:00:00 (seconds other than 00 would be
 * lost, so they are refused), and a Chinese Excel's 12-hour format 上午8:50 / 下午2:10;
 * a sheet typed by hand may say 中午12:30 (or 中午1:00, just after noon), 早上 or 晚上.
 */
function time(v: string, column: '开始' | '结束'): string {
  const m = /^(上午|早上|下午|晚上|中午|AM|PM)?\s*(\d{1,2})[:：](\d{2})(?:[:：]00)?\s*(AM|PM)?$/i.exec(v);
  const word = (m?.[1] ?? m?.[4])?.toUpperCase();
  const half = word === '上午' || word === '早上' || word === 'AM' ? 'am' : word === '下午' || word === '晚上' || word === 'PM' ? 'pm' : word === '中午' ? 'noon' : undefined;
  let h = Number(m?.[2]);
  const min = Number(m?.[3]);
  // 12-hour: 上午12:10 is just after midnight, 下午12:10 just after noon; 下午14:10 is already 24-hour.
  if (half === 'am' && h === 12) h = 0;
  else if (half === 'pm' && h < 12) h += 12;
  // 中午 is 11 to 12 o'clock, or 1 o'clock and so on just after.
  else if (half === 'noon' && h >= 1 && h <= 5) h += 12;
  if (!m || (m[1] && m[4]) || h > 23 || min > 59 || (half === 'am' && h > 12) || (half === 'noon' && h < 11)) {
    throw new RowProblem(
      v === '' ? `${column}时间这一栏是空的，请写成 08:50 这样的 24 小时制` : `${column}时间“${v}”无法识别，请写成 08:50 这样的 24 小时制`,
      `${column === '开始' ? 'start' : 'end'} time "${v}" is not HH:MM`,
    );
  }
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}

function isTime(v: string): boolean {
  try {
    time(v, '开始');
    return true;
  } catch {
    return false;
  }
}

/** A half-day word a range writes once for both ends: 下午2:10-2:50. */
const HALF_DAY = /^(上午|早上|下午|晚上|中午)/;

/**
 * A single 时间 column, as school sheets write a period: 8:00-8:40, 8:00–8:40, 8:00~8:40,
 * 8：00－8：40, 8:00至8:40; its start and end as HH:MM. `startOnly`: the column is headed as
 * the start (上课时间) and the sheet has no end column, so a lone time there lacks its end.
 */
function timeRange(v: string, startOnly = false): [string, string] {
  const m = /^(.+?)\s*(?:-|–|—|－|~|～|至|到)\s*(.+)$/.exec(v);
  if (!m && startOnly && v !== '' && isTime(v)) {
    throw new RowProblem(
      `上课时间“${v}”只有开始，表里也没有下课时间这一栏，请写成 8:00-8:40 这样的起止时间，或加一栏下课时间`,
      `start time "${v}" has no end and the file has no end-time column: write a range such as 8:00-8:40, or add an end-time column`,
    );
  }
  if (!m) {
    throw new RowProblem(
      v === '' ? '时间这一栏是空的，请写成 8:00-8:40 这样的起止时间' : `时间“${v}”无法识别，请写成 8:00-8:40 这样的起止时间`,
      `time "${v}" is not a range such as 8:00-8:40`,
    );
  }
  const half = HALF_DAY.exec(m[1]!)?.[1];
  const end = half && !HALF_DAY.test(m[2]!) && !/[AP]M/i.test(m[2]!) ? `${half}${m[2]}` : m[2]!;
  return [time(m[1]!, '开始'), time(end, '结束')];
}

type Column = 'weekday' | 'period' | 'starts' | 'ends' | 'time' | 'className' | 'lesson';
/** The names a header may give each column: as docs/README lists them, the words schools use, and English. */
const HEADER_NAMES: Record<Column, RegExp> = {
  weekday: /^(星期|星期几|周|weekday|day)$/i,
  period: /^(节次|节|第几节|period|lesson\s*no\.?)$/i,
  starts: /^(开始|开始时间|上课|上课时间|starts?|start\s*time|from)$/i,
  ends: /^(结束|结束时间|下课|下课时间|ends?|end\s*time|to)$/i,
  time: /^(时间|时间段|起止时间|上课时间段|time|times)$/i,
  className: /^(班级|班级名称|班|class|class\s*name|classname)$/i,
  lesson: /^(课程|课程名称|课程资源|课|科目|lesson|resource|course|subject)$/i,
};
const POSITIONAL: Record<Column, number> = { weekday: 0, period: 1, starts: 2, ends: 3, time: -1, className: 4, lesson: 5 };

/** The column a header cell names, if any. */
function headerColumn(cell: string): Column | undefined {
  return (Object.keys(HEADER_NAMES) as Column[]).find((c) => HEADER_NAMES[c].test(cell.replace(/\s+/g, ' ')));
}

/**
 * Where each column is, when a header row names at least the day, period and times (start and end, one 时间 column,
 * or a start column alone, read as 8:00-8:40; each once); else null.
 */
function headerColumns(cells: string[]): Record<Column, number> | null {
  const at: Partial<Record<Column, number>> = {};
  for (const [i, cell] of cells.entries()) {
    const col = headerColumn(cell);
    if (!col) continue;
    if (at[col] !== undefined) return null;
    at[col] = i;
  }
  const times = at.starts !== undefined && at.ends !== undefined;
  // 星期,节次,上课时间,班级,课程: a sheet with no end column writes the period's range under its start.
  const range = times ? -1 : (at.time ?? (at.ends === undefined ? at.starts : undefined));
  if (at.weekday === undefined || at.period === undefined || range === undefined) return null;
  // A column the header does not name (no class, no lesson) is empty in every row; with a start and an end, 时间 is not read.
  return { weekday: at.weekday, period: at.period, starts: at.starts ?? -1, ends: at.ends ?? -1, time: range, className: at.className ?? -1, lesson: at.lesson ?? -1 };
}

/** Columns a school sheet often has beside a single class's periods that are not read, and are not a class or a lesson under another name. */
const OTHER_COLUMNS = /^(任课教师|授课教师|科任教师|教师|老师|任课老师|教室|上课地点|地点|备注|说明|teacher|room|place|notes?|remarks?)$/i;

/**
 * A header without a class or a lesson column that has columns it does not know (年级班级,
 * 课题): one of them is likely the missing one, and importing would leave it empty in
 * every row without a word, so the file is refused naming them.
 */
function unknownColumns(cells: string[], col: Record<Column, number>): AppError | null {
  const unknown = cells.filter((c) => c !== '' && !headerColumn(c) && !OTHER_COLUMNS.test(c.trim()));
  const missing = (
    [
      ['className', '班级', 'class'],
      ['lesson', '课程', 'lesson'],
    ] as const
  ).filter(([c]) => col[c] < 0);
  if (unknown.length === 0 || missing.length === 0) return null;
  const zh = missing.map(([, w]) => w);
  const en = missing.map(([, , w]) => w);
  const quoted = (words: readonly string[], sep: string) => words.map((w) => `“${w}”`).join(sep);
  const two = missing.length > 1 ? '两' : '一';
  const said = `课表表头里的${quoted(unknown, '')}无法识别，表里也没有${zh.join('和')}这${two}栏：`;
  const saidEn = `the timetable header${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} ${unknown.length > 1 ? 'are not known columns' : 'is not a known column'}, and there is no ${en.join(' or ')} column: `;
  const names = missing.map(([, z, e]) => `"${z}" (or "${e}")`).join(' and ');
  return new AppError(
    'bad-request',
    unknown.length === 1
      ? `${said}如果它是${zh.join('或')}，请把表头改成${quoted(zh, '或')}；如果不是，请删掉这一栏再导入 / ${saidEn}if it is the ${en.join(' or the ')}, name it ${names.replace(' and ', ' or ')}; if not, delete the column and import again`
      : `${said}请把${zh.join('、')}那${two}栏的表头改成${quoted(zh, '')}，用不上的栏删掉，再导入 / ${saidEn}name the ${en.join(' and ')} column${missing.length > 1 ? 's' : ''} ${names}, delete the columns not needed, and import again`,
  );
}

/** A school's day starts after 6: a period before it is most likely 上午12:30 meant as half past noon. */
const EARLIEST_PERIOD = '06:00';

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * What a file may hold that is likely a mistake, but imported as written: two periods of
 * a class overlapping on a day, or a period in the night.
 */
function suspicious(entries: Entry[], lines: number[]): ImportWarning[] {
  const warnings: ImportWarning[] = [];
  const at = (i: number) => ({ line: lines[i]!, period: entries[i]!.period, starts: entries[i]!.starts, ends: entries[i]!.ends });
  const days = new Map<string, number[]>();
  entries.forEach((e, i) => {
    const key = `${e.weekday}/${e.className}`;
    days.set(key, [...(days.get(key) ?? []), i]);
    if (e.starts < EARLIEST_PERIOD) warnings.push({ kind: 'night', weekday: e.weekday, className: e.className, ...at(i) });
  });
  for (const day of days.values()) {
    const byStart = [...day].sort((a, b) => minutes(entries[a]!.starts) - minutes(entries[b]!.starts));
    for (let x = 0; x < byStart.length; x++) {
      for (let y = x + 1; y < byStart.length && entries[byStart[y]!]!.starts < entries[byStart[x]!]!.ends; y++) {
        const e = entries[byStart[x]!]!;
        warnings.push({ kind: 'overlap', weekday: e.weekday, className: e.className, first: at(byStart[x]!), second: at(byStart[y]!) });
      }
    }
  }
  return warnings;
}

/** How far down a header row is looked for: a sheet's title and a line or two of notes may come first. */
const HEADER_WITHIN = 5;

/**
 * Parses a timetable CSV. `resolve` lists the resources a lesson cell (an id or a
 * title) names. A cell naming exactly one links it; one naming none or several (a
 * subject such as 数学, a lesson's own wording, a title shared by many) leaves the
 * period without a lesson and is listed in `unmatched` (`lines`: each entry's line), so a school's real timetable
 * imports whole. A row that is itself broken refuses the file, since importing
 * replaces its classes' periods. `warnings`: what is imported as written but is likely
 * a mistake (overlapping periods, a period in the night). `skipped`: the rows above the
 * header row (the sheet's title), left out.
 */
export function parseTimetableCsv(
  text: string,
  resolve: (cell: string) => string[],
): { entries: Entry[]; lines: number[]; unmatched: UnmatchedLesson[]; warnings: ImportWarning[]; skipped: SkippedRow[] } {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  // Decided for the whole file: any ASCII comma or tab means "，" is part of the text.
  const fullWidth = !raw.some((line) => /[,\t]/.test(line));
  // Blank lines and rows of empty cells (Excel writes ",,,,," for formatted empty cells)
  // are skipped; each row keeps its line number in the file so an error names the right one.
  const lines = raw
    .map((line, i) => ({ line, lineNo: i + 1 }))
    .filter(({ line }) => line.replace(/[,，\t"\s]/g, '') !== '')
    .map(({ line, lineNo }) => ({ cells: splitLine(line, fullWidth), lineNo }));
  // A header naming the columns is read, so a sheet with them in another order (节次,星期,…) imports right; else they are where README lists them.
  // A school's sheet often has its title above the header ("2026-2027学年第一学期 三年级(2)班课表"): the header is looked for
  // below it, past rows that are not lessons (a row starting with a weekday is one, and is read as such).
  const within = Math.min(lines.length, HEADER_WITHIN);
  let at = 0;
  while (at < within && !headerColumns(lines[at]!.cells) && !isWeekday(lines[at]!.cells[0]!)) at++;
  if (at >= within || !headerColumns(lines[at]!.cells)) at = 0;
  const skipped = lines.slice(0, at).map(({ cells, lineNo }) => ({ line: lineNo, text: cells.filter((c) => c !== '').join(' ') }));
  // A first line whose first cell is a weekday ("星期一", "Mon"), or with a period or a time in it ("星期八,1,8:00"), is a lesson, not a header.
  const first = lines.length > at ? lines[at]!.cells : [];
  const named = headerColumns(first);
  const hasHeader =
    named !== null ||
    (first.length > 0 && !isWeekday(first[0]!) && !first.slice(1, 4).some((c) => /\d/.test(c)) && first.some((c) => /星期|weekday|day|节次|period/i.test(c)));
  const col = named ?? POSITIONAL;
  const unknown = named && unknownColumns(first, named);
  if (unknown) throw unknown;
  const rows = lines.slice(at + (hasHeader ? 1 : 0));
  // Importing replaces the timetable: a file without lessons is a mistake, not a wish to clear it.
  if (rows.length === 0) throw new AppError('bad-request', '课表文件里没有课 / the timetable file lists no periods');
  const unmatched: UnmatchedLesson[] = [];
  // Excel and WPS save a weekday (or class) merged over its periods in the first row only: an empty one is the one above.
  let dayAbove = '';
  let classAbove = '';
  const entries = rows.map(({ cells, lineNo }) => {
    const cell = (c: Column) => cells[col[c]] ?? '';
    const day = cell('weekday') || dayAbove;
    const className = cell('className') || classAbove;
    [dayAbove, classAbove] = [day, className];
    const num = cell('period');
    // Typed with "，" between cells, a title's own "，" splits it: when the lesson is the last column, the rest is its.
    const lastColumn = col.lesson >= 0 && Object.values(col).every((i) => i <= col.lesson);
    const lesson = fullWidth && lastColumn ? cells.slice(col.lesson).join('，').replace(/[，\s]+$/, '') : cell('lesson');
    try {
      const [starts, ends] = col.time >= 0 ? timeRange(cell('time'), col.time === col.starts) : [time(cell('starts'), '开始'), time(cell('ends'), '结束')];
      const entry = { weekday: weekday(day), period: period(num), starts, ends, className, resourceId: null as string | null };
      if (entry.ends <= entry.starts) throw new RowProblem(`结束时间 ${entry.ends} 须晚于开始时间 ${entry.starts}`, 'a period must end after it starts');
      if (className.length > 100) throw new RowProblem('班级这一栏超过 100 个字，请写短一些', 'the class name is longer than 100 characters');
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
  const lineNos = rows.map((r) => r.lineNo);
  return { entries, lines: lineNos, unmatched, warnings: suspicious(entries, lineNos), skipped };
}
