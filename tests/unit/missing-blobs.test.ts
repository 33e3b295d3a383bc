// The night's check that the cache's files are still on disk names exactly the
// ones gone, whichever way it looks (a stat each for a few, a folder listing for many).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blobPath, missingBlobs } from '../../main/cache/blob-store';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-missing-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const shaOf = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

describe('missingBlobs', () => {
  it.each([10, 6000])('names the files gone from the cache among %i, and only those', (count) => {
    const dir = path.join(root, String(count));
    const shas = Array.from({ length: count }, (_, i) => shaOf(`${count}-${i}`));
    for (const sha of shas) {
      fs.mkdirSync(path.dirname(blobPath(dir, sha)), { recursive: true });
      fs.writeFileSync(blobPath(dir, sha), 'x');
    }
    // A few removed, one whole <aa> folder removed, and a .part beside a file is no file.
    const gone = new Set(shas.filter((_, i) => i % 7 === 3));
    const folder = path.dirname(blobPath(dir, shas[0]!));
    for (const sha of shas) if (path.dirname(blobPath(dir, sha)) === folder) gone.add(sha);
    for (const sha of gone) fs.rmSync(blobPath(dir, sha), { force: true });
    fs.rmSync(folder, { recursive: true });
    const partOnly = shas.find((s) => !gone.has(s))!;
    fs.rmSync(blobPath(dir, partOnly));
    fs.writeFileSync(`${blobPath(dir, partOnly)}.part`, 'x');
    gone.add(partOnly);
    expect(missingBlobs(dir, shas).sort()).toEqual([...gone].sort());
  });

  it('refuses a name that is not a sha256 rather than look outside the cache, either way', () => {
    for (const n of [1, 5000]) {
      const shas = [...Array.from({ length: n - 1 }, (_, i) => shaOf(`bad-${i}`)), '../../etc/passwd'];
      expect(() => missingBlobs(root, shas)).toThrow(/not a sha256/);
    }
  });
});
