// Sync controls the teaching UI uses.
import { z } from 'zod';

const channel = <Req extends z.ZodType, Res extends z.ZodType>(req: Req, res: Res) => ({ req, res });

export const syncChannels = {
  /** A lesson is on screen (or no longer): a running sync slows to a trickle meanwhile. */
  'sync:presenting': channel(z.object({ presenting: z.boolean() }).strict(), z.object({ presenting: z.boolean() })),
} as const;
