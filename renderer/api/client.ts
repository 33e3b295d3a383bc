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

/**
 * Whether the hub answers (the browser through the hub only; Electron's bridge has
 * no network). A call that cannot reach it marks it lost; it is back when it answers
 * again — a probe every few seconds, any call, or the event stream reopening — and
 * the views that failed meanwhile load again (useLibraryData, useHubLink).
 */
const hubLink = { up: true, comebacks: 0, listeners: new Set<() => void>() };

function setHubLink(up: boolean, force = false): void {
  if (hubLink.up === up && !force) return;
  hubLink.up = up;
  if (up) hubLink.comebacks++;
  for (const l of hubLink.listeners) l();
}

/** For useSyncExternalStore: called whenever the hub is lost or back. */
export function onHubLink(listener: () => void): () => void {
  hubLink.listeners.add(listener);
  return () => hubLink.listeners.delete(listener);
}
export const hubReachable = (): boolean => hubLink.up;
/** How many times the hub came back: a dependency that reloads what failed while it was away. */
export const hubComebacks = (): number => hubLink.comebacks;

/** A call's failure because the hub did not answer at all (stopped, restarting, the LAN down), not a refusal by it. */
export const isUnreachable = (err: unknown): boolean => (err as { unreachable?: unknown } | null)?.unreachable === true;

/** What a proxy in front of a restarting hub answers (nginx: 502 bad gateway, 504 timeout). */
const GATEWAY = new Set([502, 503, 504]);
const PROBE_MS = 2000;

let probeHub: () => void = () => {};
/** Checks now whether the hub answers (a part of the page failed to load): lost if not, and then probed until it is back. */
export const checkHub = (): void => probeHub();

export function createHttpApi(base = '', token: string | null = null, fetchImpl: typeof fetch = (...a) => fetch(...a)): ClassboardApi {
  const post = (channel: string, payload: string) =>
    fetchImpl(`${base}/api/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: payload,
      // A small call outlives the page that made it (a last ink stroke, "presenting: off" on a reload);
      // the browser allows 64 KiB of such bodies in flight, so a CSV import is not one.
      keepalive: new TextEncoder().encode(payload).length < 8192,
    });
  const answer = async (res: Response) => {
    const body = (await res.json().catch(() => null)) as Result<unknown> | null;
    return body && typeof body === 'object' && 'ok' in body ? body : null;
  };

  let probe: ReturnType<typeof setTimeout> | null = null;
  const tryHub = async () => {
    const answered = await post('app:info', '{}').then(answer, () => null);
    if (answered) back();
    else lost();
  };
  const lost = () => {
    setHubLink(false);
    probe ??= setTimeout(() => {
      probe = null;
      void tryHub();
    }, PROBE_MS);
  };
  const back = (force = false) => {
    const was = hubLink.up;
    setHubLink(true, force);
    // The stream gives up for good on an error page (a proxy's 502 while the hub restarted).
    if (!was && source && source.readyState === EventSource.CLOSED) openEvents();
  };
  probeHub = () => void tryHub();

  const listeners = new Set<(name: string, payload: unknown) => void>();
  let source: EventSource | null = null;
  const openEvents = () => {
    source?.close();
    const es = new EventSource(`${base}/api/events`, { withCredentials: true });
    source = es;
    for (const name of eventNames) {
      es.addEventListener(name, (e: MessageEvent) => {
        const payload: unknown = JSON.parse(e.data as string);
        for (const l of listeners) l(name, payload);
      });
    }
    let dropped = false;
    es.addEventListener('error', () => (dropped = true));
    // Reconnected: the hub is back (and the events it sent meanwhile are lost, so views reload too).
    es.addEventListener('open', () => dropped && back(true));
  };

  const unreachable = (): Result<unknown> => ({
    ok: false,
    error: Object.assign({ code: 'unavailable' as const, message: i18next.t('app.hubUnreachable') }, { unreachable: true }),
  });

  return buildBridge({
    async invoke(channel, req): Promise<Result<unknown>> {
      let res: Response;
      try {
        res = await post(channel, JSON.stringify(req ?? {}));
      } catch {
        lost();
        return unreachable();
      }
      const body = await answer(res);
      if (body) {
        back();
        return body;
      }
      if (GATEWAY.has(res.status)) {
        lost();
        return unreachable();
      }
      return { ok: false, error: { code: 'unavailable', message: `HTTP ${res.status}` } };
    },
    listen(listener) {
      listeners.add(listener);
      if (!source) openEvents();
      return () => listeners.delete(listener);
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
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code, unreachable: isUnreachable(r.error) });
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
