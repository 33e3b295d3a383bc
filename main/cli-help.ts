// `classboard … --help` as the admin reads it: Chinese first, then English, as the
// errors that send them there ("用法见 classboard sync --help"). Commander counts a
// Chinese character as one column and breaks lines only at spaces, so a Chinese
// description ran past an 80-column terminal in one piece; here a wide character
// is two columns and a line may break between two of them.
import type { HelpConfiguration, Option } from 'commander';

/** East Asian wide characters: CJK, kana, hangul, fullwidth forms and punctuation. */
const WIDE = '\\u1100-\\u115f\\u2e80-\\u303e\\u3041-\\u33ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\ua000-\\ua4cf\\uac00-\\ud7a3\\uf900-\\ufaff\\ufe30-\\ufe4f\\uff00-\\uff60\\uffe0-\\uffe6';
const isWide = new RegExp(`[${WIDE}]`);
/** A line breaks before a word, or between wide characters; never before a closing mark nor after an opening one. */
const CHUNK = new RegExp(`\\s*[（「《]*(?:[^\\s${WIDE}]+|[${WIDE}])[，。；：、）」》！？,.;:!?)]*`, 'g');

/** Columns a string takes in a terminal (colour codes take none). */
export function displayWidth(s: string): number {
  let n = 0;
  for (const c of s.replace(/\x1b\[[0-9;]*m/g, '')) n += isWide.test(c) ? 2 : 1;
  return n;
}

/** Commander's boxWrap, with wide characters two columns and breakable between. */
function boxWrap(str: string, width: number): string {
  if (width < 40) return str;
  return str
    .split(/\r?\n/)
    .flatMap((line) => {
      const chunks = line.match(CHUNK);
      if (!chunks) return [''];
      const lines: string[] = [];
      let cur = chunks.shift()!;
      for (const chunk of chunks) {
        if (displayWidth(cur) + displayWidth(chunk) <= width) cur += chunk;
        else {
          lines.push(cur);
          cur = chunk.trimStart();
        }
      }
      return [...lines, cur];
    })
    .join('\n');
}

const TITLES: Record<string, string> = {
  'Usage:': '用法 / Usage:',
  'Arguments:': '参数 / Arguments:',
  'Options:': '选项 / Options:',
  'Commands:': '命令 / Commands:',
  'Global Options:': '全局选项 / Global Options:',
};

/** An option's default, in each language's half (an empty list, as --key's, is no default to show). */
function optionDescription(o: Option): string {
  const d: unknown = o.defaultValue;
  if (d === undefined || typeof d === 'boolean' || (Array.isArray(d) && d.length === 0) || !(o.required || o.optional)) return o.description;
  const at = o.description.indexOf(' / ');
  const [zh, en] = at < 0 ? [o.description, ''] : [o.description.slice(0, at), o.description.slice(at + 3)];
  return `${zh}（默认 ${String(d)}）${en ? ` / ${en} (default ${String(d)})` : ''}`;
}

export const helpConfiguration: HelpConfiguration = {
  displayWidth,
  boxWrap,
  optionDescription,
  styleTitle: (s: string) => TITLES[s] ?? s,
};

/** A command's exit codes after its help, each "中文 / English", wrapped under its code. */
export function exitCodes(codes: [code: string, zh: string, en: string][], width = 80): string {
  const indent = '      ';
  const lines = codes.map(([code, zh, en]) => `  ${code.padEnd(4)}${boxWrap(`${zh} / ${en}`, width - indent.length).replace(/\n/g, `\n${indent}`)}`);
  return ['', '退出码 / Exit codes:', ...lines].join('\n');
}
