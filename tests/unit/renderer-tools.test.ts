import { describe, expect, it } from 'vitest';
import { pickNext } from '../../renderer/teaching/tools/RandomPicker';
import { fmtCountdown, fmtStopwatch } from '../../renderer/teaching/tools/Timer';
import { parseRoute, href } from '../../renderer/route';

describe('random number picker', () => {
  it('never repeats a number until every student was picked', () => {
    const picked: number[] = [];
    for (let i = 0; i < 40; i++) picked.push(pickNext(40, picked)!);
    expect(new Set(picked).size).toBe(40);
    expect(Math.min(...picked)).toBe(1);
    expect(Math.max(...picked)).toBe(40);
    expect(pickNext(40, picked)).toBeNull();
  });
});

describe('timer digits', () => {
  it('counts down rounding up and a stopwatch rounding down', () => {
    expect(fmtCountdown(180_000)).toBe('03:00');
    expect(fmtCountdown(59_001)).toBe('01:00');
    expect(fmtCountdown(1)).toBe('00:01');
    expect(fmtCountdown(-5)).toBe('00:00');
    expect(fmtStopwatch(0)).toBe('00:00.0');
    expect(fmtStopwatch(61_950)).toBe('01:01.9');
  });
});

describe('routes', () => {
  it('round-trips every route through the URL hash', () => {
    for (const r of [
      { name: 'home', node: null },
      { name: 'home', node: 'cn.demo/xx-3' },
      { name: 'resource', id: 'cn.demo/r/1' },
      { name: 'resource', id: 'cn.demo/l-fs-v1', type: 'video' },
      { name: 'board' },
    ] as const) {
      expect(parseRoute(href(r))).toEqual(r);
    }
    expect(parseRoute('#/resource/x/bogus')).toEqual({ name: 'resource', id: 'x' });
    expect(parseRoute('#/nonsense')).toEqual({ name: 'home', node: null });
  });
});

describe('school weekday', () => {
  it('uses the school time zone, not the machine clock', async () => {
    const { schoolWeekday } = await import('../../main/library/timetable');
    // 2026-11-23 is a Monday; 17:00 UTC Sunday is already Monday 01:00 in Shanghai.
    expect(schoolWeekday(new Date('2026-11-22T17:00:00Z'))).toBe(1);
    expect(schoolWeekday(new Date('2026-11-22T15:00:00Z'))).toBe(7);
  });
});
