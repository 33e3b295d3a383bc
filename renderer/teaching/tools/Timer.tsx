// Countdown (1/3/5 minute presets) and stopwatch, digits readable across the room.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Panel } from './Panel';

const mmss = (s: number) => `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
/** A countdown rounds up (it shows 00:01 until the last second is gone); a stopwatch rounds down. */
export const fmtCountdown = (ms: number) => mmss(Math.max(0, Math.ceil(ms / 1000)));
export const fmtStopwatch = (ms: number) => `${mmss(Math.floor(ms / 1000))}.${Math.floor((ms % 1000) / 100)}`;

export function Timer({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'countdown' | 'stopwatch'>('countdown');
  const [total, setTotal] = useState(3 * 60_000);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [carried, setCarried] = useState(0); // ms elapsed before the current run
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    if (startedAt === null) return;
    const id = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(id);
  }, [startedAt]);

  const elapsed = carried + (startedAt === null ? 0 : now - startedAt);
  const left = total - elapsed;
  const done = mode === 'countdown' && left <= 0 && (startedAt !== null || carried > 0);
  useEffect(() => {
    if (done && startedAt !== null) {
      setCarried(total);
      setStartedAt(null);
    }
  }, [done, startedAt, total]);

  const reset = () => {
    setStartedAt(null);
    setCarried(0);
  };
  const toggle = () => {
    if (startedAt === null) {
      if (done) setCarried(0);
      setNow(Date.now());
      setStartedAt(Date.now());
    } else {
      setCarried(elapsed);
      setStartedAt(null);
    }
  };

  return (
    <Panel title={mode === 'countdown' ? t('tools.countdown') : t('tools.stopwatch')} onClose={onClose} at={{ x: 560, y: 160 }}>
      <div className="tool-tabs">
        {(['countdown', 'stopwatch'] as const).map((m) => (
          <button key={m} type="button" className="tool-button" aria-pressed={mode === m} onClick={() => (setMode(m), reset())}>
            {t(`tools.${m}`)}
          </button>
        ))}
      </div>
      <output className={`timer-digits${done ? ' timer-digits--done' : ''}`} aria-live="polite">
        {done ? t('tools.timeUp') : mode === 'countdown' ? fmtCountdown(left) : fmtStopwatch(elapsed)}
      </output>
      {mode === 'countdown' && (
        <div className="tool-row">
          {[1, 3, 5].map((m) => (
            <button key={m} type="button" className="tool-button" aria-pressed={total === m * 60_000} onClick={() => (setTotal(m * 60_000), reset())}>
              {t('tools.minutes', { count: m })}
            </button>
          ))}
          <button type="button" className="tool-button" aria-label={t('tools.addMinute')} onClick={() => setTotal((x) => x + 60_000)}>
            ＋1
          </button>
        </div>
      )}
      <div className="tool-row">
        <button type="button" className="tool-button tool-button--primary" onClick={toggle}>
          {startedAt === null ? t('tools.start') : t('tools.pause')}
        </button>
        <button type="button" className="tool-button" onClick={reset}>
          {t('tools.reset')}
        </button>
      </div>
    </Panel>
  );
}
