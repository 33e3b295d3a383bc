import { describe, expect, it } from 'vitest';
import { parseJsonBytes } from '../../main/feed/parse-json';

const plain = (b: Buffer) => JSON.parse(b.toString('utf8'));

describe('parseJsonBytes (the shard parser)', () => {
  it('reads Chinese catalogs exactly as the UTF-8 decoder does', () => {
    const docs = [
      { title: '大青树下的小学（第一课时）', nodes: [{ id: 'xx-3', title: '三年级上册', order: 1 }], n: null, ok: true },
      ['é', '𝒳 emoji 📚', 'tab\tquote"back\\slash/', 1.5, false, { deep: [['三', { x: '四' }]] }],
      '纯文本',
      { mixed: 'ASCII then 汉字 then ASCII', 'key': 'ÿ\u0080' },
    ];
    for (const d of docs) {
      const bytes = Buffer.from(JSON.stringify(d));
      expect(parseJsonBytes(bytes)).toEqual(plain(bytes));
    }
  });

  it('keeps \\u escapes exact (they take the plain path)', () => {
    const bytes = Buffer.from('{"a":"\\u00e9\\u4e2d","b":"raw 中"}');
    expect(parseJsonBytes(bytes)).toEqual({ a: 'é中', b: 'raw 中' });
  });

  it('turns broken UTF-8 into U+FFFD, as the decoder does, without moving quotes', () => {
    const bytes = Buffer.concat([Buffer.from('["a'), Buffer.from([0xe4, 0xb8]), Buffer.from('","'), Buffer.from([0xff, 0xc3]), Buffer.from('b"]')]);
    expect(parseJsonBytes(bytes)).toEqual(plain(bytes));
    expect(parseJsonBytes(bytes)).toEqual(['a\ufffd', '\ufffd\ufffdb']);
  });

  it('refuses what JSON.parse refuses, including a byte-order mark and non-ASCII outside strings', () => {
    for (const text of [Buffer.from('{"a": 中}'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]), Buffer.from('{"a":"x"')]) {
      expect(() => plain(text)).toThrow();
      expect(() => parseJsonBytes(text)).toThrow(SyntaxError);
    }
  });

  it('leaves a "__proto__" key an own property, never a prototype', () => {
    const v = parseJsonBytes(Buffer.from('{"__proto__":{"title":"注入"},"x":{"__proto__":"字"}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect((v as { title?: string }).title).toBeUndefined();
    expect(Object.keys(v)).toEqual(['__proto__', 'x']);
  });
});
