// `unkeep` of a node the offline selection does not keep (a timetabled lesson
// outside the kept grade): nothing changes, and the command says so. It printed
// the selection's size, unchanged, and "已下载的 293 KB 仍留在本机…缓存空间不够时会先
// 清理这些文件" about files of the timetabled lesson, which are never cleaned.
import type { Services } from './services';

export interface NotKept {
  id: string;
  title: string;
  /** Its lessons on the timetable, and among the favourites: kept whatever the selection says. */
  timetabled: number;
  favourites: number;
}

const SUBTREE = 'WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT n.id FROM nodes n JOIN sub ON n.parent = sub.id)';

/** Of these nodes, those unkeeping changes nothing for: not kept, and nothing inside them kept on its own. */
export function notKeptOnItsOwn(services: Services, ids: string[]): NotKept[] {
  const db = services.db;
  const keptInside = db.prepare(`${SUBTREE} SELECT 1 FROM offline_selection WHERE keep = 1 AND node_id IN (SELECT id FROM sub) LIMIT 1`).pluck();
  const count = (table: 'timetable' | 'favourites') =>
    db.prepare(`${SUBTREE} SELECT count(DISTINCT r.id) FROM resources r WHERE r.node_id IN (SELECT id FROM sub) AND r.id IN (SELECT resource_id FROM ${table})`).pluck();
  const timetabled = count('timetable');
  const favourites = count('favourites');
  const title = db.prepare('SELECT title FROM nodes WHERE id = ?').pluck();
  return [...new Set(ids)]
    .filter((id) => !services.selection.keepsNode(id) && keptInside.get(id) === undefined)
    .map((id) => ({ id, title: title.get(id) as string, timetabled: timetabled.get(id) as number, favourites: favourites.get(id) as number }));
}

/** "cn…/l-sy（声音的产生与传播）没有单独勾选离线保存，没有改动：它在课表中，始终保存". */
export function notKeptLine(n: NotKept): string {
  const why = [n.timetabled > 0 ? '课表' : '', n.favourites > 0 ? '收藏' : ''].filter(Boolean).join('和');
  const whyEn = [n.timetabled > 0 ? 'the timetable' : '', n.favourites > 0 ? 'the favourites' : ''].filter(Boolean).join(' and ');
  const zh = why ? `：它${n.timetabled + n.favourites > 1 ? '的课' : ''}在${why}中，始终保存` : '';
  const en = whyEn ? `; it is on ${whyEn}, always kept` : '';
  return `${n.id}（${n.title}）没有单独勾选离线保存，没有改动${zh} / ${n.id} was not kept on its own: nothing changed${en}`;
}
