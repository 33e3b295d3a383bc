// The one API between the renderer and the Node side. Each channel is `domain:verb`
// with a request and a response schema; the Electron IPC binding, the hub's HTTP
// binding, the preload and the renderer's client are all walked from this object.
import { z } from 'zod';
import {
  GlobalId,
  ImportSummary,
  LibraryStatus,
  Resource,
  ResourceSummary,
  TreeNode,
} from './schemas';
import { annotationChannels } from './annotations';
import { planChannels } from './plans';
import { syncChannels, syncEvents } from './sync';
import { timetableChannels, WaitingResource } from './timetable';

export * from './schemas';
export * from './annotations';
export * from './media';
export * from './plans';
export * from './timetable';
export * from './sync';

const channel = <Req extends z.ZodType, Res extends z.ZodType>(req: Req, res: Res) => ({ req, res });

export const contract = {
  'app:info': channel(
    z.object({}).strict(),
    z.object({
      name: z.string(),
      version: z.string(),
      host: z.enum(['electron', 'hub']),
      locale: z.string(),
      dataDir: z.string().nullable(),
      /** Set when the library file was corrupt at start: it was kept here and a fresh library created. */
      libraryRecoveredFrom: z.string().nullable(),
    }),
  ),
  'library:status': channel(z.object({}).strict(), LibraryStatus),
  'library:tree': channel(
    z.object({ parent: GlobalId.nullable() }).strict(),
    z.object({
      /** The requested node's ancestors, root first (a breadcrumb); empty at the root. */
      trail: z.array(TreeNode),
      nodes: z.array(TreeNode),
      /** Resources attached directly to the parent (lessons carry them). */
      resources: z.array(ResourceSummary),
    }),
  ),
  'library:search': channel(
    z
      .object({
        query: z.string().max(200),
        limit: z.number().int().min(1).max(200).optional(),
        offset: z.number().int().min(0).max(1_000_000).optional(),
      })
      .strict(),
    z.object({ total: z.number().int(), results: z.array(ResourceSummary) }),
  ),
  'library:resource': channel(z.object({ id: GlobalId }).strict(), Resource),
  /** Opening a resource for teaching: recorded in "recent" and the usage log. */
  'library:open': channel(z.object({ id: GlobalId }).strict(), Resource),
  /**
   * What of resource `id`'s lesson is not on this PC (a resource on a unit's or a volume's node: itself alone), as
   * 今日课表 marks a period: its resources some of whose files, as the sync would fetch them, are not in the cache.
   */
  'library:waiting': channel(z.object({ id: GlobalId }).strict(), z.object({ waiting: z.array(WaitingResource), total: z.number().int().min(0) })),
  'library:favourite': channel(
    z.object({ id: GlobalId, favourite: z.boolean() }).strict(),
    z.object({ id: GlobalId, favourite: z.boolean() }),
  ),
  'library:favourites': channel(z.object({}).strict(), z.object({ items: z.array(ResourceSummary) })),
  'library:recent': channel(
    z.object({ limit: z.number().int().min(1).max(100).optional() }).strict(),
    z.object({ items: z.array(ResourceSummary) }),
  ),
  ...annotationChannels,
  ...planChannels,
  ...timetableChannels,
  ...syncChannels,
} as const;

/** Events pushed from the Node side (IPC in Electron, Server-Sent Events on the hub). */
export const events = {
  'library:changed': z.object({ feedId: z.string(), revision: z.number().int() }),
  'import:progress': z.object({
    feedId: z.string().nullable(),
    phase: z.enum(['index', 'shards', 'catalog', 'blobs', 'done']),
    done: z.number(),
    total: z.number(),
  }),
  ...syncEvents,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type Req<C extends Channel> = z.input<Contract[C]['req']>;
export type ParsedReq<C extends Channel> = z.output<Contract[C]['req']>;
export type Res<C extends Channel> = z.output<Contract[C]['res']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const ErrorCode = z.enum([
  'bad-request',
  'unknown-channel',
  'not-found',
  'conflict',
  'unauthorized',
  'refused',
  'unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiError = z.object({ code: ErrorCode, message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** What the renderer sees: one async function per channel, plus event subscription. */
export type ClassboardApi = {
  [C in Channel]: (req: Req<C>) => Promise<Result<Res<C>>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

export const channels = Object.keys(contract) as Channel[];
export const eventNames = Object.keys(events) as EventName[];
export const isChannel = (name: string): name is Channel => Object.hasOwn(contract, name);
export const isEventName = (name: string): name is EventName => Object.hasOwn(events, name);
