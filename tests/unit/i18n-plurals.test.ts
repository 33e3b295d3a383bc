// English counts read "1 file", not "1 files": the strings that take a count of
// files, lessons, resources or items have a singular (key_one) that i18next picks
// for 1, with the same setup as the app (renderer/i18n); Chinese keeps its one form.
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { en } from '../../renderer/i18n/en';
import { zhCN } from '../../renderer/i18n/zh-CN';

async function translator(lng: 'en' | 'zh-CN') {
  const i18n = i18next.createInstance();
  await i18n.init({ resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } }, lng, fallbackLng: 'zh-CN', interpolation: { escapeValue: false }, initAsync: false });
  return i18n.t.bind(i18n) as (key: string, options?: Record<string, unknown>) => string;
}

/** Every string under `o` with its dotted key. */
function strings(o: object, prefix = ''): [string, string][] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [[prefix + k, v] as [string, string]] : strings(v as object, `${prefix}${k}.`)));
}

describe('English plurals', () => {
  it('says 1 file, 1 lesson, 1 resource and 1 item, and the plural for other counts', async () => {
    const t = await translator('en');
    expect(t('sync.lastResult', { count: 1, files: 1, bytes: '83 KB', failed: 6 })).toBe('1 file downloaded (83 KB), 6 failed');
    expect(t('sync.lastResult', { count: 2, files: 2, bytes: '83 KB', failed: 0 })).toBe('2 files downloaded (83 KB), 0 failed');
    expect(t('sync.lastResult', { count: 0, files: 0, bytes: '0 B', failed: 1 })).toBe('0 files downloaded (0 B), 1 failed');
    expect(t('sync.queued', { count: 1, files: 1, bytes: '400 KB' })).toBe('Still to download: 1 file, 400 KB');
    expect(t('sync.downgraded', { count: 1 })).toBe('1 lesson gets a lower rendition to fit tonight');
    expect(t('sync.reasons.missing', { count: 1 })).toBe('The server does not have one of the files: ask the platform or the school admin.');
    expect(t('sync.reasons.missing', { count: 3 })).toBe('The server does not have 3 of the files: ask the platform or the school admin.');
    expect(t('library.results', { count: 1 })).toBe('1 resource found');
    expect(t('library.results', { count: 12 })).toBe('12 resources found');
    expect(t('plans.count', { count: 1 })).toBe('1 item');
    expect(t('timetable.saved', { n: 1, count: 1 })).toBe('Timetable saved (1 period)');
    expect(t('timetable.imported', { n: 5, count: 5 })).toBe('Timetable imported: 5 periods');
  });

  it('has no English string that reads "1 files" (or lessons, resources, items) for a count of 1', async () => {
    const t = await translator('en');
    // sync.lessonsMore is said only past five lessons.
    const counted = strings(en).filter(([k, v]) => !k.endsWith('_one') && k !== 'sync.lessonsMore' && /\{\{(count|files)\}\} (files|lessons|resources|items)\b|\{\{count\}\} of the files|\{\{count\}\} of these files/.test(v));
    expect(counted.length).toBeGreaterThanOrEqual(12);
    for (const [key] of counted) {
      const text = t(key, { count: 1, files: 1, bytes: '1 KB', failed: 0, named: 'x' });
      expect(text, key).not.toMatch(/\b1 (files|lessons|resources|items)\b|1 of the files|1 of these files/);
    }
  });
});

describe('Chinese with a count', () => {
  it('uses its one form for any count (zh has no singular)', async () => {
    const t = await translator('zh-CN');
    expect(t('sync.lastResult', { count: 1, files: 1, bytes: '83 KB', failed: 6 })).toBe('下载 1 个文件（83 KB），失败 6 个');
    expect(t('sync.queued', { count: 1, files: 1, bytes: '400 KB' })).toBe('待下载：1 个文件，400 KB');
    expect(t('library.results', { count: 1 })).toBe('找到 1 个资源');
    expect(t('library.results', { count: 5 })).toBe('找到 5 个资源');
    expect(t('sync.reasons.missing', { count: 1 })).toBe(zhCN.sync.reasons.missing.replace('{{count}}', '1'));
  });
});
