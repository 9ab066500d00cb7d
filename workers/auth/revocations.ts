// Whether a token id is revoked, as the AccessRegistry knows it, memoized per isolate for the
// cache's TTL: that TTL bounds how long another isolate keeps accepting a revoked token.
import { accessRegistry } from '../../durable/AccessRegistry.ts';
import { IsolateCache } from './isolate-cache.ts';

const revoked = new IsolateCache<boolean>();

export function isTokenRevoked(env: Env, tokenId: string, nowMs: number = Date.now()): Promise<boolean> {
  return revoked.get(tokenId, () => accessRegistry(env).isTokenRevoked(tokenId), nowMs);
}

/** The isolate that revoked a token refuses it at once, without waiting for its memo to expire. */
export function rememberRevokedToken(tokenId: string, nowMs: number = Date.now()): void {
  revoked.put(tokenId, true, nowMs);
}
