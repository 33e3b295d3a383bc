import { useEffect, useLayoutEffect, useState, useSyncExternalStore } from 'react';
import { api, hubComebacks, hubReachable, isUnreachable, onHubLink } from '../api/client';

/** Whether the hub answers now, and how often it came back (as a dependency, it reloads a view that failed meanwhile). */
export function useHubLink(): { up: boolean; comebacks: number } {
  const up = useSyncExternalStore(onHubLink, hubReachable);
  const comebacks = useSyncExternalStore(onHubLink, hubComebacks);
  return { up, comebacks };
}

type Loaded<T> = { data: T | null; error: string | null; unreachable: boolean };

/**
 * Loads something through the API and reloads it when the library or what is
 * downloaded changes, and when the hub answers again after it could not be reached
 * (`unreachable`: `error` is then the one sentence saying so and that it retries).
 */
export function useLibraryData<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, unreachable: false });
  const [generation, setGeneration] = useState(0);
  const { comebacks } = useHubLink();
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
      (data) => live && setState({ data, error: null, unreachable: false }),
      (err: Error) => live && setState({ data: null, error: err.message, unreachable: isUnreachable(err) }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation, comebacks]);
  return state;
}
