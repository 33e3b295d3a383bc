import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path'; import crypto from 'node:crypto';
import { startNginx } from './fixtures/nginx';
import { hubServices } from './fixtures/services';
import { downloadBlob as newDl } from '../main/sync/downloader';
import { downloadBlob as oldDl } from './olddl.tmp';
import { TokenBucket } from '../main/sync/token-bucket';
const www = fs.mkdtempSync(path.join(os.tmpdir(), 'ab-'));
fs.mkdirSync(path.join(www, 'f'));
const files = Array.from({ length: 12 }, (_, i) => { const b = crypto.randomBytes(24 << 20); fs.writeFileSync(path.join(www, 'f', `${i}`), b); return { sha256: crypto.createHash('sha256').update(b).digest('hex'), size: b.length, i }; });
const nginx = await startNginx(www);
async function run(dl: typeof newDl) {
  const s = hubServices(fs.mkdtempSync(path.join(os.tmpdir(), 'abd-')), 't');
  let next = 0; const t = performance.now();
  await Promise.all([0, 1, 2].map(async () => { while (next < 12) { const f = files[next++]!; await dl({ ...f, urls: [`${nginx.url}f/${f.i}`] }, { blobs: s.blobs, bucket: new TokenBucket(Infinity) }); } }));
  const mbs = (12 * 24 * 1.048576) / ((performance.now() - t) / 1000);
  s.close(); return mbs;
}
const res: Record<string, number[]> = { old: [], new: [] };
for (let r = 0; r < 5; r++) for (const [k, dl] of [['new', newDl], ['old', oldDl]] as const) res[k]!.push(Math.round(await run(dl)));
console.log(res);
await nginx.stop(); fs.rmSync(www, { recursive: true });
