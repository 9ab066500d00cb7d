// The per-isolate memo of access checks: its TTL is what bounds how long an isolate that already
// looked a token up keeps accepting it after a revocation (CONTRACT section 5: within 10 s).
import { describe, expect, it } from 'vitest';
import { accessCacheTtlMs, IsolateCache } from '../../workers/auth/isolate-cache.ts';

describe('IsolateCache', () => {
  it('keeps a revocation bound of 10 s with room to spare for the request in flight', () => {
    expect(accessCacheTtlMs).toBe(5_000);
  });

  it('answers a looked-up value from memory until its TTL has passed, then asks again', async () => {
    const cache = new IsolateCache<boolean>();
    let revoked = false;
    let loads = 0;
    const load = async () => {
      loads += 1;
      return revoked;
    };
    const t0 = 1_000_000;
    expect(await cache.get('jti-1', load, t0)).toBe(false);
    revoked = true;
    expect(await cache.get('jti-1', load, t0 + accessCacheTtlMs - 1)).toBe(false);
    expect(loads).toBe(1);
    expect(await cache.get('jti-1', load, t0 + accessCacheTtlMs)).toBe(true);
    expect(loads).toBe(2);
  });

  it('asks at once for a key it has never seen', async () => {
    const cache = new IsolateCache<boolean>();
    await cache.get('seen', async () => false, 0);
    expect(await cache.get('never-seen', async () => true, 1)).toBe(true);
  });

  it('lets a value put in memory replace what was looked up, from that moment', async () => {
    const cache = new IsolateCache<boolean>();
    await cache.get('jti-2', async () => false, 0);
    cache.put('jti-2', true, 10);
    expect(cache.peek('jti-2', 11)).toEqual({ value: true });
    expect(cache.peek('jti-2', 10 + accessCacheTtlMs)).toBeUndefined();
  });
});
