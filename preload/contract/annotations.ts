// Ink strokes as stored and exchanged. Coordinates are in the surface's own
// content space (e.g. PDF page units or a 1920-wide board), so ink stays on the
// same spot when the window or zoom changes.
import { z } from 'zod';

export const InkTool = z.enum(['pen', 'highlighter']);

export const Stroke = z.object({
  id: z.string().min(1).max(64),
  tool: InkTool,
  /** CSS colour, e.g. "#e53935". */
  color: z.string().max(32),
  width: z.number().positive().max(400),
  /** Flat [x, y, pressure, x, y, pressure, ...]. */
  points: z.array(z.number().finite()).max(60_000).refine((p) => p.length % 3 === 0, 'points come in x,y,pressure triples'),
});
export type Stroke = z.infer<typeof Stroke>;

/** What the ink is on: a resource (with a PDF page or a video moment) or a board page. */
export const InkTarget = z.object({
  target: z.string().min(1).max(1100),
  page: z.string().min(1).max(64),
});
export type InkTarget = z.infer<typeof InkTarget>;

const channel = <Req extends z.ZodType, Res extends z.ZodType>(req: Req, res: Res) => ({ req, res });

export const annotationChannels = {
  'annotations:list': channel(InkTarget.strict(), z.object({ strokes: z.array(Stroke) })),
  /** Saves one finished stroke at once, so a crash loses nothing already drawn. */
  'annotations:add': channel(InkTarget.extend({ stroke: Stroke }).strict(), z.object({ saved: z.literal(true) })),
  'annotations:remove': channel(
    InkTarget.extend({ ids: z.array(z.string().min(1).max(64)).min(1).max(10_000) }).strict(),
    z.object({ removed: z.number().int() }),
  ),
  'annotations:clear': channel(InkTarget.strict(), z.object({ removed: z.number().int() })),
  /**
   * One change the teacher sees at once (undo of 清屏, an eraser's sweep, redo of
   * several strokes) saved in one transaction: removes, then adds. Stroke by
   * stroke, a reload between requests kept only some of what was on screen.
   */
  'annotations:batch': channel(
    InkTarget.extend({
      add: z.array(Stroke).max(10_000),
      remove: z.array(z.string().min(1).max(64)).max(10_000),
    })
      .strict()
      .refine((b) => b.add.length + b.remove.length > 0, 'a batch adds or removes at least one stroke'),
    z.object({ added: z.number().int(), removed: z.number().int() }),
  ),
} as const;
