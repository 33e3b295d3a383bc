import { describe, expect, it } from 'vitest';
import { channels, contract } from '../../preload/contract';
import { buildBridge } from '../../preload/bridge';

function fakeTransport() {
  const calls: [string, unknown][] = [];
  const listeners = new Set<(name: string, payload: unknown) => void>();
  return {
    calls,
    push: (name: string, payload: unknown) => listeners.forEach((l) => l(name, payload)),
    transport: {
      invoke: async (channel: string, req: unknown) => {
        calls.push([channel, req]);
        return { ok: true, value: null };
      },
      listen: (l: (name: string, payload: unknown) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
  };
}

describe('preload bridge', () => {
  it('exposes exactly one function per contract channel plus on(), and is frozen', () => {
    const api = buildBridge(fakeTransport().transport);
    expect(Object.keys(api).sort()).toEqual([...channels, 'on'].sort());
    expect(Object.keys(contract).length).toBeGreaterThan(8);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('forwards a call on its own channel name only', async () => {
    const t = fakeTransport();
    const api = buildBridge(t.transport);
    await api['library:search']({ query: '春' });
    expect(t.calls).toEqual([['library:search', { query: '春' }]]);
  });

  it('delivers only the subscribed event, refuses undeclared ones, and unsubscribes', () => {
    const t = fakeTransport();
    const api = buildBridge(t.transport);
    const got: unknown[] = [];
    const off = api.on('library:changed', (p) => got.push(p));
    t.push('import:progress', { phase: 'done' });
    t.push('library:changed', { feedId: 'x', revision: 2 });
    off();
    t.push('library:changed', { feedId: 'x', revision: 3 });
    expect(got).toEqual([{ feedId: 'x', revision: 2 }]);
    expect(() => api.on('fs:anything' as never, () => {})).toThrow(/unknown event/);
  });
});
