// The renderer's one API, walked from the contract: the Electron preload's bridge
// when present, otherwise HTTP to the hub (POST /api/<channel>, events over SSE).
import { channels, type ClassboardApi, type EventName, type Result } from '../../preload/contract';

const TOKEN_KEY = 'classboard.token';

/** A hub token given once as ?token=... is kept for this tab and sent as a bearer. */
function hubToken(): string | null {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
  return sessionStorage.getItem(TOKEN_KEY);
}

export function createHttpApi(base = '', fetchImpl: typeof fetch = (...a) => fetch(...a), token: string | null = null): ClassboardApi {
  const api: Record<string, unknown> = {};
  for (const channel of channels) {
    api[channel] = async (req: unknown): Promise<Result<unknown>> => {
      try {
        const res = await fetchImpl(`${base}/api/${channel}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(req ?? {}),
        });
        const body = (await res.json().catch(() => null)) as Result<unknown> | null;
        if (body && typeof body === 'object' && 'ok' in body) return body;
        return { ok: false, error: { code: 'unavailable', message: `HTTP ${res.status}` } };
      } catch (err) {
        return { ok: false, error: { code: 'unavailable', message: (err as Error).message } };
      }
    };
  }
  let source: EventSource | null = null;
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    source ??= new EventSource(`${base}/api/events`, { withCredentials: true });
    const handler = (e: MessageEvent) => listener(JSON.parse(e.data as string));
    source.addEventListener(event, handler);
    return () => source?.removeEventListener(event, handler);
  };
  return api as ClassboardApi;
}

let instance: ClassboardApi | null = null;

export function api(): ClassboardApi {
  if (instance) return instance;
  const bridged = (window as unknown as { classboard?: ClassboardApi }).classboard;
  instance = bridged ?? createHttpApi('', undefined, hubToken());
  return instance;
}

/** Unwraps a result for UI code that shows errors through one path. */
export async function call<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value;
}
