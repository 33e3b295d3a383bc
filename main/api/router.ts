// The one router: every call from either host comes through here, is validated
// against the contract, and is answered as { ok, value } | { ok: false, error }.
import { contract, isChannel, type Channel, type ParsedReq, type Req, type Res, type Result } from '../../preload/contract';
import { AppError, toApiError } from './errors';

export type Handlers = { [C in Channel]: (req: ParsedReq<C>) => Res<C> | Promise<Res<C>> };

export interface Router {
  /** For hosts: anything can arrive, everything is validated. */
  call(channel: string, raw: unknown): Promise<Result<unknown>>;
  /** For Node-side callers (CLI, tests): the same path, typed from the contract. */
  invoke<C extends Channel>(channel: C, req: Req<C>): Promise<Result<Res<C>>>;
}

export function createRouter(handlers: Handlers, opts: { onError?: (channel: string, err: unknown) => void } = {}): Router {
  const router: Router = {
    invoke: (channel, req) => router.call(channel, req) as never,
    async call(channel, raw) {
      if (!isChannel(channel)) return { ok: false, error: { code: 'unknown-channel', message: `unknown channel: ${String(channel).slice(0, 80)}` } };
      const spec = contract[channel];
      const parsed = spec.req.safeParse(raw ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return {
          ok: false,
          error: { code: 'bad-request', message: `${channel}: ${issue ? `${issue.path.join('.') || '(request)'}: ${issue.message}` : 'invalid request'}` },
        };
      }
      try {
        const handler = handlers[channel] as (req: unknown) => unknown;
        const value = await handler(parsed.data);
        // Checking our own answers catches contract drift before the renderer does.
        const checked = spec.res.safeParse(value);
        if (!checked.success) throw new AppError('internal', `${channel} produced an invalid response: ${checked.error.issues[0]?.message}`);
        return { ok: true, value: checked.data };
      } catch (err) {
        const error = toApiError(err);
        if (error.code === 'internal') opts.onError?.(channel, err);
        return { ok: false, error };
      }
    },
  };
  return router;
}
