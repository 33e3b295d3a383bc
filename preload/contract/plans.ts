// Lesson plans (备课): an ordered list of library resources and board pages.
import { z } from 'zod';
import { GlobalId, ResourceType } from './schemas';

export const BoardTemplate = z.enum(['white', 'green', 'black', 'tianzige', 'mizige', 'sixian', 'fangge', 'wuxianpu', 'zuobiao']);

export const PlanItemInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('resource'), resourceId: GlobalId }).strict(),
  z.object({ kind: z.literal('board'), template: BoardTemplate }).strict(),
]);

export const PlanItem = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('resource'),
    resourceId: GlobalId,
    /** null when the resource has left the library since the plan was made. */
    title: z.string().nullable(),
    type: ResourceType.nullable(),
    /** Where it sits in the textbook tree (its lesson last): a bare 学习任务单 could be any lesson's. Absent once it has left the library. */
    path: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal('board'), template: BoardTemplate }),
]);
export type PlanItem = z.infer<typeof PlanItem>;

const PlanSummary = z.object({ id: z.number().int(), title: z.string(), items: z.number().int(), updatedAt: z.number() });

const channel = <Req extends z.ZodType, Res extends z.ZodType>(req: Req, res: Res) => ({ req, res });

export const planChannels = {
  'plans:list': channel(z.object({}).strict(), z.object({ plans: z.array(PlanSummary) })),
  'plans:get': channel(z.object({ id: z.number().int() }).strict(), z.object({ id: z.number().int(), title: z.string(), items: z.array(PlanItem) })),
  'plans:save': channel(
    z.object({ id: z.number().int().optional(), title: z.string().trim().min(1).max(200), items: z.array(PlanItemInput).max(200) }).strict(),
    z.object({ id: z.number().int() }),
  ),
  'plans:delete': channel(z.object({ id: z.number().int() }).strict(), z.object({ deleted: z.boolean() })),
} as const;
