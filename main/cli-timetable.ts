// `classboard timetable import` and `timetable list` as the admin reads them: which
// classes an import replaced and which it left, what looks wrong in the file, and the
// timetable itself, period by period.
import type { Res, TodayLesson } from '../preload/contract';

const dayName = (weekday: number) => `星期${'一二三四五六日'[weekday - 1]}`;
/** Rows without a class are a class of their own. */
const classLabel = (className: string) => className || '未写班级';

/** The unmatched rows shown before "……另有 N 行" (--json lists them all). */
const UNMATCHED_SHOWN = 20;

export function importLines(r: Res<'timetable:import-csv'>): string[] {
  const { saved, kept, unmatched, classes, others, warnings, skipped = [] } = r;
  const named = classes.length === 1 ? classLabel(classes[0]!.className) : classes.map((c) => `${classLabel(c.className)} ${c.saved} 节`).join('、');
  const head = `已导入课表：${saved} 节课（${named}）`;
  // What the import did to the timetable: an import used to replace every class's periods, silently.
  const replaced = classes.filter((c) => c.replaced > 0);
  const untouched = others.reduce((n, o) => n + o.periods, 0);
  const scope = [
    ...(replaced.length ? [`替换了${replaced.map((c) => classLabel(c.className)).join('、')}原有的 ${replaced.reduce((n, c) => n + c.replaced, 0)} 节课`] : []),
    ...(others.length ? [`其他班级的 ${untouched} 节课未改动（${others.map((o) => `${classLabel(o.className)} ${o.periods} 节`).join('、')}）`] : []),
  ];
  const scopeLine = scope.length ? [scope.join('；')] : [];
  // Said, since the file alone would have cleared them.
  const keptLine = kept > 0 ? [`保留了已选的 ${kept} 节课的课程（这些节次的课程一栏没有对应到课）`] : [];
  const warningLines = warnings.map((w) =>
    w.kind === 'overlap'
      ? `注意：${dayName(w.weekday)}${w.className ? ` ${w.className}` : ''} 第 ${w.first.period} 节（${w.first.starts}–${w.first.ends}，第 ${w.first.line} 行）与第 ${w.second.period} 节（${w.second.starts}–${w.second.ends}，第 ${w.second.line} 行）时间重叠，已照文件导入，请检查`
      : `注意：第 ${w.line} 行 ${dayName(w.weekday)}第 ${w.period} 节 ${w.starts}–${w.ends} 在半夜，已照文件导入，请检查（上午12:30 是半夜 0:30；中午的 12:30 请写 12:30 或 下午12:30）`,
  );
  // The sheet's title above its header: said, so a lesson row read as one would not go unnoticed.
  const skippedLine = skipped.length ? [`表头上方的${skipped.map((s) => `第 ${s.line} 行（${s.text}）`).join('、')}不是课，未导入`] : [];
  if (unmatched.length === 0) return [head, ...scopeLine, ...keptLine, ...warningLines, ...skippedLine];
  // A school's file names subjects (数学) more often than lessons: every row is listed up to a screenful, to fix in the file.
  const shown = unmatched.slice(0, UNMATCHED_SHOWN).map((u) => `  第 ${u.line} 行“${u.cell}”：${u.matches === 0 ? '资源库里没有找到' : `有 ${u.matches} 个同名资源`}`);
  return [
    `${head}；其中 ${unmatched.length} 节的课程没有对应到资源库里的课，先不带课程导入：`,
    ...shown,
    ...(unmatched.length > shown.length ? [`  ……另有 ${unmatched.length - shown.length} 行（--json 列出全部）`] : []),
    '可在课程一栏改填课名（课本目录里的名称，如 分数的初步认识）、资源的完整名称或资源 id（classboard search 可查）后重新导入；也可以在课表页删去这几节，重新添加时选课。',
    ...scopeLine,
    ...keptLine,
    ...warningLines,
    ...skippedLine,
  ];
}

export interface ListedPeriod {
  weekday: number;
  period: number;
  starts: string;
  ends: string;
  className: string;
  lesson: { id: string; title: string; ready: boolean } | null;
  /** The lesson the period names, which the platform has since removed. */
  missing?: TodayLesson['missing'];
}

export const listedPeriod = (weekday: number, l: TodayLesson): ListedPeriod => ({
  weekday,
  period: l.period,
  starts: l.starts,
  ends: l.ends,
  className: l.className,
  // Ready as 今日课表 marks it: the whole lesson on this machine, not the period's resource alone.
  lesson: l.resource ? { id: l.resource.id, title: l.resource.title, ready: l.waiting.length === 0 } : null,
  ...(l.missing ? { missing: l.missing } : {}),
});

/** One line a period, by weekday and time, as the 课表 page lists them. */
export function listLines(periods: ListedPeriod[]): string[] {
  if (periods.length === 0) return ['还没有课表。可用 classboard timetable import 课表.csv 导入，或在课表页逐节添加。'];
  const lesson = (p: ListedPeriod) =>
    p.lesson ? p.lesson.title : p.missing ? `该课程已被资源平台移除（${p.missing.title ?? p.missing.resourceId}），请重新选择` : '未选课程';
  return [
    ...periods.map((p) => `${dayName(p.weekday)}  第 ${String(p.period).padStart(2)} 节  ${p.starts}–${p.ends}  ${classLabel(p.className)}  ${lesson(p)}`),
    `共 ${periods.length} 节课`,
  ];
}
