// The feed wire format (docs/feed-protocol.md, version 1) as zod schemas, with the
// protocol's limits. Everything crossing the network or a USB stick passes here.
import { z } from 'zod';
import { NodeKind, ResourceType } from '../../preload/contract/schemas';

export const LIMITS = {
  indexBytes: 1024 * 1024,
  shardBytes: 64 * 1024 * 1024,
  stringChars: 1000,
  resources: 1_000_000,
} as const;

const Str = z.string().max(LIMITS.stringChars, `a string field is over ${LIMITS.stringChars} characters`);
const Id = Str.min(1);
const HEX = new Uint8Array(128);
for (const c of '0123456789abcdef') HEX[c.charCodeAt(0)] = 1;
/** 64 lowercase hex digits. A loop, not a regex: it runs for every file of a 150,000-resource catalog. */
export function isSha256(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || !HEX[c]) return false;
  }
  return true;
}
export const Sha256 = z.string().refine(isSha256, 'sha256 must be 64 lowercase hex digits');
export const FeedId = z.string().regex(/^[a-z0-9.-]{1,64}$/, 'feed id must match [a-z0-9.-]{1,64}');

/** A relative path inside the feed: [A-Za-z0-9._/-], no "..", no leading "/". */
export const RelPath = Str.regex(/^[A-Za-z0-9._/-]+$/, 'shard path has characters outside [A-Za-z0-9._/-]')
  .refine((p) => !p.startsWith('/'), 'shard path must be relative')
  .refine((p) => !p.split('/').some((seg) => seg === '..' || seg === '.' || seg === ''), 'shard path escapes its base');

export const FeedIndex = z
  .object({
    format: z.literal('classboard-feed/1'),
    id: FeedId,
    title: Str,
    revision: z.number().int().nonnegative(),
    published: Str.optional(),
    keyId: Str.optional(),
    blobBases: z.array(Str).max(16).optional(),
    /**
     * A teacher's export (`classboard export`): the feeds its lessons come from. A
     * classroom subscribed to all of them takes the stick's files into its cache,
     * checked against its own catalog, instead of a second copy of the lessons.
     */
    origins: z
      .array(z.object({ id: FeedId, title: Str, revision: z.number().int().nonnegative().optional() }))
      .max(64)
      .optional(),
    shards: z
      .array(
        z.object({
          path: RelPath,
          sha256: Sha256,
          size: z.number().int().nonnegative().max(LIMITS.shardBytes, 'a shard is over 64 MiB'),
          resources: z.number().int().nonnegative().optional(),
        }),
      )
      .max(100_000),
  })
  .superRefine((feed, ctx) => {
    const seen = new Set<string>();
    for (const s of feed.shards) {
      if (seen.has(s.path)) ctx.addIssue({ code: 'custom', message: `shard ${s.path} is listed twice` });
      seen.add(s.path);
    }
  });
export type FeedIndex = z.infer<typeof FeedIndex>;

export const ShardNode = z.object({
  id: Id,
  parent: Id.nullable(),
  kind: NodeKind,
  title: Str,
  order: z.number().finite().optional(),
});
export type ShardNode = z.infer<typeof ShardNode>;

export const ShardFile = z.object({
  role: Str,
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  mime: Str,
  height: z.number().int().positive().optional(),
});
export type ShardFile = z.infer<typeof ShardFile>;

export const ShardResource = z.object({
  id: Id,
  node: Id,
  type: ResourceType,
  title: Str,
  revision: z.number().int().nonnegative().optional(),
  duration: z.number().nonnegative().finite().optional(),
  files: z.array(ShardFile).max(64),
});
export type ShardResource = z.infer<typeof ShardResource>;

export const Shard = z.object({
  format: z.literal('classboard-shard/1'),
  nodes: z.array(ShardNode).max(LIMITS.resources),
  resources: z.array(ShardResource).max(LIMITS.resources),
});
export type Shard = z.infer<typeof Shard>;

/** Formats zod issues into one readable line for an error message. */
export function describeIssues(err: z.ZodError, what: string): string {
  const first = err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return `${what} is not a valid feed document: ${first}${err.issues.length > 3 ? ` (+${err.issues.length - 3} more)` : ''}`;
}
