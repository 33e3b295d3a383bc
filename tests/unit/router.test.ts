import { describe, expect, it } from 'vitest';
import { AppError } from '../../main/api/errors';
import { createRouter, type Handlers } from '../../main/api/router';

// A router over handlers that answer from a small in-memory table: this checks the
// router's own job (validation, error shapes), not the library.
function makeRouter(overrides: Partial<Handlers> = {}) {
  const errors: string[] = [];
  const base = {
    'app:info': () => ({ name: 'Classboard', version: '0.0.0', host: 'hub' as const, locale: 'zh-CN', dataDir: null, libraryRecoveredFrom: null }),
    'library:resource': ({ id }: { id: string }) => {
      throw new AppError('not-found', `no ${id}`);
    },
    'library:search': ({ query }: { query: string }) => ({ total: query.length, results: [] }),
    'library:recent': () => ({ items: [{ id: 'demo/r1', title: 'x', type: 'nonsense', path: [] }] }),
    'library:favourites': () => {
      throw new Error('boom');
    },
    ...overrides,
  } as unknown as Handlers;
  return { router: createRouter(base, { onError: (c) => errors.push(c) }), errors };
}

describe('router', () => {
  it('answers a valid call with { ok: true, value }', async () => {
    const { router } = makeRouter();
    expect(await router.call('library:search', { query: '春天' })).toEqual({ ok: true, value: { total: 2, results: [] } });
  });

  it('refuses an unknown channel', async () => {
    const { router } = makeRouter();
    const r = await router.call('fs:readFile', { path: '/etc/passwd' });
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    expect((await router.call('__proto__', {})).ok).toBe(false);
    expect((await router.call('constructor', {})).ok).toBe(false);
  });

  it('refuses malformed requests with a message naming the field', async () => {
    const { router } = makeRouter();
    const cases: unknown[] = [{ query: 42 }, { query: 'a'.repeat(500) }, { query: '春', limit: -1 }, { query: '春', extra: true }, 'text', [1, 2]];
    for (const c of cases) {
      const r = await router.call('library:search', c);
      expect(r.ok, JSON.stringify(c).slice(0, 40)).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('bad-request');
    }
    const r = await router.call('library:search', { query: 42 });
    if (!r.ok) expect(r.error.message).toContain('query');
  });

  it('passes a user-facing error through with its code', async () => {
    const { router } = makeRouter();
    expect(await router.call('library:resource', { id: 'demo/missing' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'no demo/missing' },
    });
  });

  it('turns a crash into an internal error and reports it', async () => {
    const { router, errors } = makeRouter();
    const r = await router.call('library:favourites', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'internal', message: 'boom' } });
    expect(errors).toEqual(['library:favourites']);
  });

  it('checks its own answers against the contract', async () => {
    const { router } = makeRouter();
    const r = await router.call('library:recent', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
