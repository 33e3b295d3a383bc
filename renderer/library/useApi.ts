import { useEffect, useLayoutEffect, useState } from 'react';
import { api } from '../api/client';

/** Loads something through the API and reloads it when the library or what is downloaded changes. */
export function useLibraryData<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: string | null } {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const bump = () => setGeneration((g) => g + 1);
    // A sync run changes what is downloaded ("未下载" marks, today's ready list) without a catalog change.
    // And a lesson fetched now, inside a longer run: its page shows it as soon as its files are in.
    const offs = [api().on('library:changed', bump), api().on('sync:finished', bump), api().on('sync:lesson', (f) => f.state !== 'running' && bump())];
    return () => offs.forEach((off) => off());
  }, []);
  // Layout effect: the request leaves right after commit, not after the next paint
  // (up to a frame sooner — it is on the path from a tap to the first video frame).
  useLayoutEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data, error: null }),
      (err: Error) => live && setState({ data: null, error: err.message }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  return state;
}
