// Which feed a data folder's hub mirrors as its upstream (`classboard hub
// --upstream`), kept in the library's settings: the school's classrooms subscribe
// to it through the hub, so `classboard feeds remove` on the hub's data folder
// refuses it unless forced, also while the hub is stopped.
import { z } from 'zod';
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
