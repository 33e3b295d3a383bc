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

  it('quotes a refused body as UTF-8, and names a web page as one (a maintenance page where a feed was expected)', () => {
    // Before: `Unexpected token '<', "<html>ç»´æ"...`, the text read as Latin-1.
    const page = Buffer.from('<html><head><title>系统维护中</title></head><body>维护中，请稍后</body></html>');
    expect(() => parseJsonBytes(page)).toThrow(SyntaxError);
    expect(() => parseJsonBytes(page)).toThrow(/不是资源库：服务器返回的是网页（HTML）“系统维护中” \/ not a feed: the server answered a web page \(HTML\)/);
    const text = Buffer.from('维护中，请稍后再试');
    expect(() => parseJsonBytes(text)).toThrow(/维护中/);
    for (const b of [page, text]) expect(() => parseJsonBytes(b)).not.toThrow(/[\u0080-\u00ff]/);
  });
});
