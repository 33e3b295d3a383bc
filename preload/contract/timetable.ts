// The class timetable: what is taught when, so the board can show today's lessons
// and whether each is ready (downloaded) before the bell.
import { z } from 'zod';
import { GlobalId, ResourceSummary, ResourceType } from './schemas';

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

/** A resource of a lesson not (wholly) on this PC: named so a teacher knows what is missing. */
export const WaitingResource = z.object({ id: GlobalId, title: z.string(), type: ResourceType });
export type WaitingResource = z.infer<typeof WaitingResource>;

export const TodayLesson = z.object({
  period: z.number().int(),
  starts: z.string(),
  ends: z.string(),
  className: z.string(),
  /** The period's lesson (its `ready`: on this PC), or null when none is set or it left the library. */
  resource: ResourceSummary.nullable(),
  /**
   * What of the period's lesson is not on this PC: each resource of the lesson (a resource on a unit's or a volume's
   * node: itself alone) some of whose files, as the sync would fetch them at the classroom's rendition, are not in the
   * cache, in the lesson's order. Empty when the whole lesson is here: only then is the period ready.
   */
  waiting: z.array(WaitingResource),
  /** How many resources the period's lesson has (1 for a resource on a unit's or a volume's node; 0 without one): with `waiting`, whether some of it is here. */
  total: z.number().int().min(0),
  /**
   * Set when the period names a lesson the library no longer has: its id, its title when known, and
   * `unsubscribed` when its feed was unsubscribed (feeds remove) rather than the platform's catalog removing it.
   */
  missing: z.object({ resourceId: z.string(), title: z.string().optional(), unsubscribed: z.boolean().optional() }).optional(),
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

/** A period of a timetable file, by its line (counting the header). */
const FilePeriod = z.object({ line: z.number().int().min(1), period: z.number().int(), starts: z.string(), ends: z.string() });

/**
 * What a timetable file holds that is likely a mistake but was imported as written:
 * two periods of a class overlapping on a day (8:00–8:40 and 8:30–9:10), or a period
 * in the night (上午12:30 is half past midnight).
 */
export const ImportWarning = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('overlap'), weekday: z.number().int(), className: z.string(), first: FilePeriod, second: FilePeriod }),
  z.object({ kind: z.literal('night'), weekday: z.number().int(), className: z.string(), ...FilePeriod.shape }),
]);
export type ImportWarning = z.infer<typeof ImportWarning>;

/** A row above a timetable file's header (the sheet's title, a note), left out of the import: its line and its cells' text. */
export const SkippedRow = z.object({ line: z.number().int().min(1), text: z.string() });
export type SkippedRow = z.infer<typeof SkippedRow>;

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

/** The time of day in the school's time zone, as the timetable writes it ("10:40"): which period is under way. */
export function schoolClock(now = new Date(), timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(now);
}

const channel = <Req extends z.ZodType, Res extends z.ZodType>(req: Req, res: Res) => ({ req, res });

export const timetableChannels = {
  /** Replaces the whole timetable (a school re-enters it each term). */
  'timetable:set': channel(z.object({ entries: z.array(TimetableEntryInput).max(500) }).strict(), z.object({ saved: z.number().int() })),
  /**
   * Replaces the periods of the classes a spreadsheet's CSV names (星期,节次,开始,结束,班级,课程; rows without a class
   * are a class of their own) and keeps the other classes', as each class teacher sends a sheet of their own.
   * `unmatched`: the periods saved without their lesson. A row naming no single lesson keeps the one already chosen
   * for its period (same weekday, period, class): `kept` counts those, not in `unmatched`. `classes`: each class
   * the file names, its periods now and before; `others`: the classes left as they were; `warnings`: see ImportWarning;
   * `skipped`: the rows above the header (a sheet's title), left out.
   */
  'timetable:import-csv': channel(
    z.object({ csv: z.string().max(512 * 1024) }).strict(),
    z.object({
      saved: z.number().int(),
      kept: z.number().int(),
      unmatched: z.array(UnmatchedLesson),
      classes: z.array(z.object({ className: z.string(), saved: z.number().int(), replaced: z.number().int() })),
      others: z.array(z.object({ className: z.string(), periods: z.number().int() })),
      warnings: z.array(ImportWarning),
      /** Rows above the header row, left out; absent when there were none. */
      skipped: z.array(SkippedRow).optional(),
    }),
  ),
  /** Today's periods in order; `weekday` overrides today's (1 = Monday). */
  'timetable:today': channel(z.object({ weekday: z.number().int().min(1).max(7).optional() }).strict(), z.object({ weekday: z.number().int(), lessons: z.array(TodayLesson) })),
} as const;
