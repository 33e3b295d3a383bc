// Random student numbers (no names): no number repeats until the teacher resets.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Panel } from './Panel';

export function pickNext(size: number, picked: number[], random = Math.random): number | null {
  const left: number[] = [];
  for (let n = 1; n <= size; n++) if (!picked.includes(n)) left.push(n);
  if (left.length === 0) return null;
  return left[Math.floor(random() * left.length)]!;
}

export function RandomPicker({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [size, setSize] = useState(() => Number(localStorage.getItem('classboard.classSize')) || 40);
  const [picked, setPicked] = useState<number[]>([]);
  const last = picked.at(-1);
  const resize = (n: number) => {
    const v = Math.max(2, Math.min(99, n));
    localStorage.setItem('classboard.classSize', String(v));
    setSize(v);
    setPicked([]);
  };
  const next = pickNext(size, picked);
  return (
    <Panel title={t('tools.random')} onClose={onClose} at={{ x: 640, y: 180 }}>
      <output className="timer-digits" aria-live="polite">
        {last === undefined ? '—' : t('tools.studentNo', { n: last })}
      </output>
      <div className="tool-row">
        <button type="button" className="tool-button" aria-label={t('tools.fewer')} onClick={() => resize(size - 1)}>
          －
        </button>
        <span className="tool-label">{t('tools.classSize', { n: size })}</span>
        <button type="button" className="tool-button" aria-label={t('tools.more')} onClick={() => resize(size + 1)}>
          ＋
        </button>
      </div>
      <div className="tool-row">
        <button type="button" className="tool-button tool-button--primary" disabled={next === null} onClick={() => next !== null && setPicked([...picked, next])}>
          {next === null ? t('tools.allPicked') : t('tools.pick')}
        </button>
        <button type="button" className="tool-button" onClick={() => setPicked([])}>
          {t('tools.reset')}
        </button>
      </div>
      <p className="tool-label">{picked.join('、')}</p>
    </Panel>
  );
}
