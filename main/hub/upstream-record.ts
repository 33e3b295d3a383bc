// Which feed a data folder's hub mirrors as its upstream (`classboard hub
// --upstream`), kept in the library's settings: the school's classrooms subscribe
// to it through the hub, so `classboard feeds remove` on the hub's data folder
// refuses it unless forced, also while the hub is stopped; and how many files it
// pulled through from upstream for classrooms today, for `classboard status`.
import { z } from 'zod';
import { formatSchoolTime } from '../../preload/contract';
import type { Db } from '../library/db';
import { readSettingRow, writeSettingRow } from '../library/settings-row';

const KEY = 'hub.upstream';

const HubUpstream = z.object({ feedId: z.string().min(1), url: z.string(), at: z.string() });
export type HubUpstream = z.infer<typeof HubUpstream>;

/** Kept when the hub takes (or serves the held catalog of) its upstream; a later hub with another upstream replaces it. */
export function recordHubUpstream(db: Db, feedId: string, url: string): void {
  writeSettingRow(db, KEY, { feedId, url, at: new Date().toISOString() });
}

/** The hub's upstream; null when this folder never served one, or the row does not read as one (written by hand). */
export function hubUpstreamOf(db: Db): HubUpstream | null {
  return readSettingRow(db, KEY, HubUpstream);
}

/** Forgotten once the admin removes that feed on purpose (`feeds remove --force`). */
export function forgetHubUpstream(db: Db): void {
  db.prepare('DELETE FROM settings WHERE key = ?').run(KEY);
}

const PULLED = 'hub.pulled';
const Pulled = z.object({ day: z.string(), files: z.number().int().min(0), bytes: z.number().min(0) });
export type Pulled = z.infer<typeof Pulled>;

/** The school day (Beijing time) a count belongs to: `status` shows today's only. */
const schoolDay = (at = new Date()) => formatSchoolTime(at, { year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * One file the hub pulled through from upstream for a classroom, counted for the
 * school day in the library (`status` runs in another process). A count that
 * cannot be saved (a full disk) is only lost, the file is still served.
 */
export function countPulled(db: Db, bytes: number): void {
  try {
    db.transaction(() => {
      const day = schoolDay();
      const was = readSettingRow(db, PULLED, Pulled);
      const today = was?.day === day ? was : { day, files: 0, bytes: 0 };
      writeSettingRow(db, PULLED, { day, files: today.files + 1, bytes: today.bytes + bytes });
    })();
  } catch {
    // only the count is lost
  }
}

/** Files the hub pulled through for classrooms today (school time). */
export function pulledToday(db: Db): { files: number; bytes: number } {
  const row = readSettingRow(db, PULLED, Pulled);
  return row?.day === schoolDay() ? { files: row.files, bytes: row.bytes } : { files: 0, bytes: 0 };
}
