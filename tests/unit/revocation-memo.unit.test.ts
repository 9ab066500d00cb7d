// The isolate's revocation memo against a hand-kept registry: a token never seen is asked about
// at once, a token already accepted is refused within the memo's TTL of a revocation made
// elsewhere, and the registry is asked for its revoked ids once per TTL for all tokens together.
import { describe, expect, it } from 'vitest';
import { accessCacheTtlMs } from '../../workers/auth/isolate-cache.ts';
import { RevocationMemo, revokedIdsCopyLimit, type RevocationSource } from '../../workers/auth/revocation-memo.ts';

function registry(revoked: string[] = []) {
  const calls = { one: 0, all: 0 };
  const ids = new Set(revoked);
  const source: RevocationSource = {
    async isTokenRevoked(tokenId) {
      calls.one += 1;
      return ids.has(tokenId);
    },
    async revokedTokenIds(limit) {
      calls.all += 1;
      return ids.size > limit ? null : [...ids];
    },
  };
  return { source: () => source, ids, calls };
}

const t0 = 1_000_000;

describe('RevocationMemo', () => {
  it('asks the registry at once about a token it has never seen', async () => {
    const memo = new RevocationMemo();
    const { source, calls } = registry(['gone']);
    expect(await memo.isRevoked(source, 'gone', t0)).toBe(true);
    expect(await memo.isRevoked(source, 'fresh', t0)).toBe(false);
    expect(calls).toEqual({ one: 2, all: 0 });
  });

  it('refuses an accepted token revoked elsewhere once its copy is older than the TTL, and not later', async () => {
    const memo = new RevocationMemo();
    const { source, ids } = registry();
    expect(await memo.isRevoked(source, 'jti-1', t0)).toBe(false);
    // The copy of revoked ids is fetched now, before the revocation.
    expect(await memo.isRevoked(source, 'jti-1', t0 + 1)).toBe(false);
    ids.add('jti-1');
    expect(await memo.isRevoked(source, 'jti-1', t0 + accessCacheTtlMs)).toBe(false);
    expect(await memo.isRevoked(source, 'jti-1', t0 + 1 + accessCacheTtlMs)).toBe(true);
  });

  it('checks many accepted tokens with one registry call per TTL', async () => {
    const memo = new RevocationMemo();
    const { source, calls } = registry(['revoked-elsewhere']);
    const tokens = Array.from({ length: 200 }, (_, i) => `jti-${i}`);
    for (const token of tokens) await memo.isRevoked(source, token, t0);
    expect(calls).toEqual({ one: 200, all: 0 });
    for (let i = 0; i < 2_000; i++) expect(await memo.isRevoked(source, tokens[i % tokens.length]!, t0 + 10 + i)).toBe(false);
    expect(calls).toEqual({ one: 200, all: 1 });
    expect(await memo.isRevoked(source, tokens[0]!, t0 + 10 + accessCacheTtlMs)).toBe(false);
    expect(calls).toEqual({ one: 200, all: 2 });
  });

  it('shares one fetch of the revoked ids between requests arriving together', async () => {
    const memo = new RevocationMemo();
    const { source, calls } = registry();
    await memo.isRevoked(source, 'a', t0);
    await memo.isRevoked(source, 'b', t0);
    await Promise.all([memo.isRevoked(source, 'a', t0 + 1), memo.isRevoked(source, 'b', t0 + 1), memo.isRevoked(source, 'a', t0 + 2)]);
    expect(calls.all).toBe(1);
  });

  it('refuses at once a token this isolate revoked, whatever its copy says', async () => {
    const memo = new RevocationMemo();
    const { source } = registry();
    expect(await memo.isRevoked(source, 'jti-1', t0)).toBe(false);
    expect(await memo.isRevoked(source, 'jti-1', t0 + 1)).toBe(false);
    memo.remember('jti-1', true, t0 + 2);
    expect(await memo.isRevoked(source, 'jti-1', t0 + 3)).toBe(true);
  });

  it('asks token by token, each answer kept for the TTL, when there are too many revoked ids to copy', async () => {
    const memo = new RevocationMemo();
    const { source, ids, calls } = registry(Array.from({ length: revokedIdsCopyLimit + 1 }, (_, i) => `old-${i}`));
    expect(await memo.isRevoked(source, 'jti-1', t0)).toBe(false);
    expect(await memo.isRevoked(source, 'jti-1', t0 + 1)).toBe(false);
    expect(calls).toEqual({ one: 1, all: 1 });
    ids.add('jti-1');
    expect(await memo.isRevoked(source, 'jti-1', t0 + accessCacheTtlMs - 1)).toBe(false);
    expect(await memo.isRevoked(source, 'jti-1', t0 + accessCacheTtlMs + 1)).toBe(true);
    expect(await memo.isRevoked(source, 'old-3', t0 + accessCacheTtlMs + 1)).toBe(true);
  });
});
