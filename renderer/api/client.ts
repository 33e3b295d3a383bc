// The renderer's one API: the Electron preload's bridge when present, otherwise
// the same bridge (walked from the contract) over HTTP to the hub —
// POST /api/<channel>, events over Server-Sent Events.
import { eventNames, MEDIA_BASE, type ClassboardApi, type Result } from '../../preload/contract';
import { buildBridge } from '../../preload/bridge';
import i18next from 'i18next';

const TOKEN_KEY = 'classboard.token';

/** A hub token given once as ?token=... is kept for this tab and sent as a bearer. */
function hubToken(): string | null {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
  return sessionStorage.getItem(TOKEN_KEY);
}

export function createHttpApi(base = '', token: string | null = null, fetchImpl: typeof fetch = (...a) => fetch(...a)): ClassboardApi {
  let source: EventSource | null = null;
  return buildBridge({
    async invoke(channel, req): Promise<Result<unknown>> {
      try {
        const payload = JSON.stringify(req ?? {});
        const res = await fetchImpl(`${base}/api/${channel}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: payload,
          // A small call outlives the page that made it (a last ink stroke, "presenting: off" on a reload);
          // the browser allows 64 KiB of such bodies in flight, so a CSV import is not one.
          keepalive: new TextEncoder().encode(payload).length < 8192,
        });
        const body = (await res.json().catch(() => null)) as Result<unknown> | null;
        if (body && typeof body === 'object' && 'ok' in body) return body;
        return { ok: false, error: { code: 'unavailable', message: `HTTP ${res.status}` } };
      } catch (err) {
        return { ok: false, error: { code: 'unavailable', message: (err as Error).message } };
      }
    },
    listen(listener) {
      source ??= new EventSource(`${base}/api/events`, { withCredentials: true });
      const handlers = eventNames.map((name) => {
        const h = (e: MessageEvent) => listener(name, JSON.parse(e.data as string));
        source!.addEventListener(name, h);
        return [name, h] as const;
      });
      return () => handlers.forEach(([name, h]) => source?.removeEventListener(name, h));
    },
  });
}

let instance: ClassboardApi | null = null;

export function api(): ClassboardApi {
  if (instance) return instance;
  const bridged = (window as unknown as { classboard?: ClassboardApi }).classboard;
  instance = bridged ?? createHttpApi('', hubToken());
  return instance;
}

/** Where this host serves cached media: the Electron scheme or the hub's route. */
export function mediaBase(): string {
  return (window as unknown as { classboard?: unknown }).classboard ? MEDIA_BASE.electron : MEDIA_BASE.hub;
}

/** Unwraps a result for UI code that shows errors through one path. */
export async function call<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value;
}

/**
 * A refused call's message for the person at the board: without the channel and
 * field a bad request names ("sync:configure: window: …"), and of a bilingual
 * "中文 / English" message only the half in the page's language.
 */
export const plainMessage = (err: unknown): string => inPageLanguage((err as Error).message.replace(/^[\w:-]+: (?:[\w.]+: )?/, ''));

/** Of the main process's "中文 / English" messages, the half the page reads in; any other text as it is. */
export function inPageLanguage(message: string): string {
  const at = message.indexOf(' / ');
  if (at < 0 || !/[\u4e00-\u9fff]/.test(message.slice(0, at))) return message;
  return i18next.language?.startsWith('zh') ? message.slice(0, at) : message.slice(at + 3);
}
