// Short titles are decoded from UTF-8 in JS (parse-json decodeShort): every byte
// string must come out exactly as Node's UTF-8 decoder gives it, broken ones too.
import { describe, expect, it } from 'vitest';
import { parseJsonBytes } from '../../main/feed/parse-json';

// Deterministic PRNG (mulberry32), so a failure can be replayed.
let seed = 7;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Bytes for a JSON string's inside: valid sequences of every length, broken ones, and edges (overlong, surrogates). */
function randomBytes(): number[] {
  const out: number[] = [];
  const n = 1 + Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) {
    const pick = rand();
    if (pick < 0.3) out.push(...Buffer.from(String.fromCodePoint(0x4e00 + Math.floor(rand() * 0x5000))));
    else if (pick < 0.4) out.push(...Buffer.from(String.fromCodePoint(0x80 + Math.floor(rand() * 0x780))));
    else if (pick < 0.45) out.push(...Buffer.from(String.fromCodePoint(0x10000 + Math.floor(rand() * 0x1000))));
    else if (pick < 0.5) out.push(0xed, 0xa0 + Math.floor(rand() * 0x20), 0x80); // a surrogate, encoded
    else if (pick < 0.55) out.push(0xe0, 0x80 + Math.floor(rand() * 0x20), 0x80); // overlong
    else if (pick < 0.6) out.push(0xc0 + Math.floor(rand() * 2), 0x80 + Math.floor(rand() * 0x40)); // overlong
    else if (pick < 0.75) out.push(0x80 + Math.floor(rand() * 0x80)); // a lone high byte
    else out.push(0x20 + Math.floor(rand() * 0x5e));
  }
  // No quote or backslash: the bytes stay one JSON string.
  return out.map((b) => (b === 0x22 || b === 0x5c ? 0x41 : b));
}

describe('parseJsonBytes on short non-ASCII strings', () => {
  it('decodes 5,000 random byte strings exactly as the UTF-8 decoder does', () => {
    for (let i = 0; i < 5000; i++) {
      const inner = Buffer.from(randomBytes());
      const bytes = Buffer.concat([Buffer.from('{"title":"'), inner, Buffer.from('","t":["'), inner, Buffer.from('"]}')]);
      const want = JSON.parse(bytes.toString('utf8'));
      expect(parseJsonBytes(bytes)).toEqual(want);
    }
  });

  it('decodes a sequence cut off at the end of a string as the decoder does', () => {
    for (const tail of [[0xe4], [0xe4, 0xb8], [0xc3], [0xf0, 0x9f, 0x93]]) {
      const bytes = Buffer.concat([Buffer.from('["中'), Buffer.from(tail), Buffer.from('","x'), Buffer.from(tail), Buffer.from('"]')]);
      expect(parseJsonBytes(bytes)).toEqual(JSON.parse(bytes.toString('utf8')));
    }
  });
});
