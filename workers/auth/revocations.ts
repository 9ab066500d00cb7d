// The isolate's revocation memo (revocation-memo.ts), asking the platform's AccessRegistry.
import { accessRegistry } from '../../durable/AccessRegistry.ts';
import { RevocationMemo } from './revocation-memo.ts';

const isolateMemo = new RevocationMemo();

export function isTokenRevoked(env: Env, tokenId: string, nowMs: number = Date.now()): Promise<boolean> {
  return isolateMemo.isRevoked(() => accessRegistry(env), tokenId, nowMs);
}

export function rememberRevokedToken(tokenId: string, nowMs: number = Date.now()): void {
  isolateMemo.remember(tokenId, true, nowMs);
}
