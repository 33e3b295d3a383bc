// A server that does not answer, in the words the sync page and a lesson's
// 现在下载 notice share: waited for (a hub rebooting, with how long at most),
// given up for this run, or being tried again.
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { SyncProgress } from '../../preload/contract';

/** How long the run waits for a server, as it is stated: 10 分钟, 45 秒. */
const waitSpan = (t: TFunction, seconds: number) =>
  seconds >= 60 ? t('sync.waitMinutes', { count: Math.round(seconds / 60) }) : t('sync.waitSeconds', { count: seconds });

/**
 * `detail`: the engine's error beside a retry (the admin's clue); waited for or given up, the words are the whole story.
 * `live`: false inside a region that is a status already (one announcement, not two).
 */
export function TroubleLine({ trouble, className, detail = false, live = true }: { trouble: NonNullable<SyncProgress['trouble']>; className: string; detail?: boolean; live?: boolean }) {
  const { t } = useTranslation();
  const { host, waitingSeconds, gaveUp } = trouble;
  return (
    <p className={className} role={live ? 'status' : undefined}>
      {waitingSeconds ? t('sync.waiting', { host, wait: waitSpan(t, waitingSeconds) }) : t(gaveUp ? 'sync.gaveUp' : 'sync.trouble', { host })}
      {detail && !gaveUp && !waitingSeconds && <span className="muted sync-failures__detail">{trouble.error}</span>}
    </p>
  );
}
