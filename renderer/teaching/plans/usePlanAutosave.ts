// A 备课 saves itself: shortly after each change, at once when the teacher leaves
// the editor (首页, 返回, Esc) and when the page is hidden or reloaded, so a plan
// she put together is never thrown away. Saves go one at a time, in order, so a
// new plan is created once and later changes update it.
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import i18next from 'i18next';
import type { PlanItem } from '../../../preload/contract';
import { api, call, plainMessage } from '../../api/client';
import { href } from '../../route';

export interface PlanDraft {
  title: string;
  items: PlanItem[];
}
export type SaveState = { kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string };

const QUIET_MS = 600;
const RETRY_MS = 5000;

// Saves made as an editor closed: 我的备课 waits for them, or it would list the plans
// as they were before the teacher tapped 首页.
const leaving = new Set<Promise<unknown>>();
export const planSavesSettled = (): Promise<unknown> => Promise.allSettled([...leaving]);

export function usePlanAutosave(initialId: number | null) {
  const idRef = useRef(initialId);
  const [id, setId] = useState(initialId);
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const pending = useRef<PlanDraft | null>(null);
  const running = useRef<Promise<void> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const stopped = useRef(false);
  const mounted = useRef(true);
  const show = (s: SaveState) => mounted.current && setState(s);

  const request = (draft: PlanDraft) =>
    api()['plans:save']({
      ...(idRef.current !== null ? { id: idRef.current } : {}),
      title: draft.title.trim() || i18next.t('plans.untitled'),
      items: draft.items.map((it) => (it.kind === 'board' ? { kind: 'board', template: it.template } : { kind: 'resource', resourceId: it.resourceId })),
    });

  const drain = async () => {
    while (pending.current && !stopped.current) {
      const draft = pending.current;
      pending.current = null;
      show({ kind: 'saving' });
      try {
        const r = await call(request(draft));
        if (idRef.current === null) {
          idRef.current = r.id;
          if (mounted.current) setId(r.id);
          // The address names the plan now, so a reload opens it and 返回 leaves it; replaced
          // without a hashchange, so the editor is not remounted under the teacher's typing.
          if (mounted.current) window.history.replaceState(window.history.state, '', href({ name: 'plan', id: r.id }));
        }
        if (!pending.current) show({ kind: 'saved' });
      } catch (e) {
        // Kept to try again: the hub may be back in a moment. A plan deleted elsewhere is not brought back.
        if ((e as { code?: string }).code === 'not-found') stopped.current = true;
        else pending.current ??= draft;
        show({ kind: 'error', message: plainMessage(e) });
        if (!stopped.current && mounted.current) timer.current = setTimeout(() => void flush(), RETRY_MS);
        break;
      }
    }
  };

  /** Saves what is waiting now; resolves to the plan's id once it is saved (null if it could not be). */
  const flush = useCallback(async (): Promise<number | null> => {
    clearTimeout(timer.current);
    while (running.current) await running.current;
    if (pending.current && !stopped.current) {
      running.current = drain().finally(() => (running.current = null));
      await running.current;
    }
    return pending.current ? null : idRef.current;
    // drain reads only refs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  /** The teacher changed the plan: save it once she pauses. A new plan with no title and nothing in it is not saved. */
  const change = useCallback(
    (draft: PlanDraft) => {
      if (stopped.current) return;
      if (idRef.current === null && !draft.title.trim() && draft.items.length === 0) {
        pending.current = null;
        return;
      }
      pending.current = draft;
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), QUIET_MS);
    },
    [flush],
  );

  /** Nothing more is saved (the plan is being deleted); what was waiting is dropped. */
  const stop = useCallback(async () => {
    stopped.current = true;
    clearTimeout(timer.current);
    pending.current = null;
    while (running.current) await running.current;
  }, []);
  const resume = useCallback(() => {
    stopped.current = false;
  }, []);

  // A layout effect: its clean-up runs before the next page's layout effects (useLibraryData's load).
  useLayoutEffect(() => {
    mounted.current = true;
    // A reload or a closed window: the request is sent with keepalive, so it outlives the page.
    const onHide = () => {
      // Behind a save still on its way the page would be gone before its turn: sent now instead
      // (a new plan's first save must come back first, or it would be created twice).
      if (running.current && idRef.current !== null && pending.current && !stopped.current) {
        const draft = pending.current;
        pending.current = null;
        // The page may stay (a cancelled unload): a draft that did not arrive is saved again in turn.
        void call(request(draft)).catch(() => {
          pending.current ??= draft;
          void flush();
        });
      } else void flush();
    };
    // Only hidden (another window, the screen off): the page stays, so saves keep their order.
    const onVisibility = () => document.visibilityState === 'hidden' && void flush();
    window.addEventListener('pagehide', onHide);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('pagehide', onHide);
      document.removeEventListener('visibilitychange', onVisibility);
      mounted.current = false;
      // Leaving the editor (首页, 返回, Esc, 开始上课): save what is waiting.
      const done = flush().finally(() => leaving.delete(done));
      leaving.add(done);
    };
  }, [flush]);

  return { id, state, change, flush, stop, resume };
}
