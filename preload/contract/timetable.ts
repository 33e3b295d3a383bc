// The class timetable: what is taught when, so the board can show today's lessons
// and whether each is ready (downloaded) before the bell.
import { z } from 'zod';
import { GlobalId, ResourceSummary } from './schemas';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time as HH:MM');

export const TimetableEntryInput = z
  .object({
    weekday: z.number().int().min(1).max(7),
    period: z.number().int().min(1).max(20),
    starts: HHMM,
    ends: HHMM,
    className: z.string().max(100).default(''),
    resourceId: GlobalId.nullable(),
  })
  .strict()
  .refine((e) => e.ends > e.starts, { message: '下课时间须晚于上课时间 / a period must end after it starts', path: ['ends'] });

export const TodayLesson = z.object({
  period: z.number().int(),
  starts: z.string(),
  ends: z.string(),
  className: z.string(),
  /** The period's lesson (its `ready`: on this PC), or null when none is set or it left the library. */
  resource: ResourceSummary.nullable(),
  /** Set when the period names a lesson the library no longer has (a catalog revision removed it): its id, and its title when known. */
  missing: z.object({ resourceId: z.string(), title: z.string().optional() }).optional(),
});
export type TodayLesson = z.infer<typeof TodayLesson>;

/**
 * A timetable file's lesson cell that names no resource (matches 0: a subject such as
 * 数学, a lesson's own wording) or several (matches ≥ 2: a shared title): its period
 * was imported without a lesson, to be chosen at the board.
 */
export const UnmatchedLesson = z.object({
  /** The line in the file, counting the header. */
  line: z.number().int().min(1),
  cell: z.string(),
  matches: z.number().int().min(0),
});
export type UnmatchedLesson = z.infer<typeof UnmatchedLesson>;

/**
 * The text of a timetable CSV file, as `timetable:import-csv` wants it: UTF-8
 * (with or without a BOM), else GB18030, which Excel on a Chinese Windows writes
 * by default ("CSV (逗号分隔)"). Decoded where the file is read: the CLI, the page.
 */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/**
 * ISO weekday (1 = Monday) in the school's time zone: the hub's 今日课表, the night's
 * sync and the board's timetable form must agree on which day is today, whatever
 * zone the board's own OS is set to.
 */
export function schoolWeekday(now = new Date(), timeZone = 'Asia/Shanghai'): number {
  const name = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone }).format(now);
  return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(name) + 1;
}

const channel = <Req extends z.ZodType, Res extends z.ZodType>(req: Req, res: Res) => ({ req, res });

export const timetableChannels = {
  /** Replaces the whole timetable (a school re-enters it each term). */
  'timetable:set': channel(z.object({ entries: z.array(TimetableEntryInput).max(500) }).strict(), z.object({ saved: z.number().int() })),
  /**
   * Replaces the timetable from a spreadsheet's CSV (星期,节次,开始,结束,班级,课程); `unmatched`: the periods saved without their lesson.
   * A row naming no single lesson keeps the one already chosen for its period (same weekday, period, class): `kept` counts those, not in `unmatched`.
   */
  'timetable:import-csv': channel(
    z.object({ csv: z.string().max(512 * 1024) }).strict(),
    z.object({ saved: z.number().int(), kept: z.number().int(), unmatched: z.array(UnmatchedLesson) }),
  ),
  /** Today's periods in order; `weekday` overrides today's (1 = Monday). */
  'timetable:today': channel(z.object({ weekday: z.number().int().min(1).max(7).optional() }).strict(), z.object({ weekday: z.number().int(), lessons: z.array(TodayLesson) })),
} as const;
