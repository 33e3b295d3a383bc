// Writes a feed folder per the protocol: shards and blobs first, then the index,
// then its signature, each atomically. Used by the demo generator, by
// `classboard export` and by tests that build (hostile) feeds.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../api/errors';
import { copyFileVerified, writeFileAtomic } from '../util/atomic-write';
import { sha256Hex, sign, type SigningKey } from './keys';
import { describeIssues, FeedIndex, Shard, type ShardNode, type ShardResource } from './schema';

export interface WriteFeedOptions {
  id: string;
  title: string;
  revision: number;
  published?: string;
  signingKey?: Pick<SigningKey, 'keyId' | 'privateKey'>;
  blobBases?: string[];
  /** An export's: the feeds its lessons come from. */
  origins?: FeedIndex['origins'];
  shards: { path: string; nodes: ShardNode[]; resources: ShardResource[] }[];
  /**
   * Blob contents: a file path (streamed) or bytes. With `sha256` and `size` (an export's cached files), a file is
   * read once, checked as it is copied and named by the hash it must have; a file that is not it is a BlobMismatch.
   */
  blobs?: { source: string | Buffer; sha256?: string; size?: number }[];
}

/** A blob source that is not the file it was given as (a damaged cache copy): nothing of it is written. */
export class BlobMismatch extends AppError {
  constructor(
    readonly sha256: string,
    readonly source: string,
    cause: Error,
  ) {
    super('refused', `${source} is not the file ${sha256.slice(0, 12)}…: ${cause.message}`);
  }
}

/** Size and SHA-256 of a file (streamed) or a buffer. */
export async function describeFile(source: string | Buffer): Promise<{ sha256: string; size: number }> {
  if (Buffer.isBuffer(source)) return { sha256: sha256Hex(source), size: source.length };
  const hash = crypto.createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(source) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

export async function writeFeed(dir: string, opts: WriteFeedOptions): Promise<FeedIndex> {
  fs.mkdirSync(dir, { recursive: true });
  const blobDir = path.join(dir, 'blobs');
  for (const blob of opts.blobs ?? []) {
    if (blob.sha256 && blob.size !== undefined && typeof blob.source === 'string') {
      const dest = path.join(blobDir, blob.sha256.slice(0, 2), blob.sha256);
      // One already there at its size stays (a stick exported to before); a short one (a stick pulled mid-copy) is copied again.
      if (fs.existsSync(dest) && fs.statSync(dest).size === blob.size) continue;
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      try {
        await copyFileVerified(blob.source, dest, { sha256: blob.sha256, size: blob.size });
      } catch (err) {
        if (err instanceof AppError && err.code === 'refused') throw new BlobMismatch(blob.sha256, blob.source, err);
        throw err;
      }
      continue;
    }
    const { sha256, size } = await describeFile(blob.source);
    if (blob.sha256 && blob.sha256 !== sha256) throw new AppError('bad-request', `blob content does not match ${blob.sha256}`);
    const dest = path.join(blobDir, sha256.slice(0, 2), sha256);
    if (fs.existsSync(dest)) continue;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (Buffer.isBuffer(blob.source)) writeFileAtomic(dest, blob.source);
    else await copyFileVerified(blob.source, dest, { sha256, size });
  }

  const shards: FeedIndex['shards'] = [];
  for (const s of opts.shards) {
    const doc = { format: 'classboard-shard/1' as const, nodes: s.nodes, resources: s.resources };
    const checked = Shard.safeParse(doc);
    if (!checked.success) throw new AppError('bad-request', describeIssues(checked.error, `shard ${s.path}`));
    const bytes = Buffer.from(`${JSON.stringify(doc, null, 1)}\n`);
    const file = path.join(dir, s.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, bytes);
    shards.push({ path: s.path, sha256: sha256Hex(bytes), size: bytes.length, resources: s.resources.length });
  }

  const index = {
    format: 'classboard-feed/1' as const,
    id: opts.id,
    title: opts.title,
    revision: opts.revision,
    published: opts.published ?? new Date().toISOString(),
    ...(opts.signingKey ? { keyId: opts.signingKey.keyId } : {}),
    blobBases: opts.blobBases ?? ['blobs/'],
    ...(opts.origins?.length ? { origins: opts.origins } : {}),
    shards,
  };
  const checked = FeedIndex.safeParse(index);
  if (!checked.success) throw new AppError('bad-request', describeIssues(checked.error, 'feed.json'));
  const indexBytes = Buffer.from(`${JSON.stringify(index, null, 1)}\n`);
  writeFileAtomic(path.join(dir, 'feed.json'), indexBytes);
  const sigFile = path.join(dir, 'feed.json.sig');
  if (opts.signingKey) writeFileAtomic(sigFile, sign(indexBytes, opts.signingKey));
  else fs.rmSync(sigFile, { force: true });
  return checked.data;
}
