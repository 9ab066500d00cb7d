import { accessRegistry } from '../../durable/AccessRegistry.ts';
import { IsolateCache } from './isolate-cache.ts';

const revoked = new IsolateCache<boolean>();

export function isTokenRevoked(env: Env, tokenId: string): Promise<boolean> {
  return revoked.get(tokenId, () => accessRegistry(env).isTokenRevoked(tokenId));
}
