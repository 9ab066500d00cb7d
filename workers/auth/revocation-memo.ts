// Whether a token id is revoked, as the AccessRegistry knows it. A token this isolate has never
// seen is asked about at once. A token it has already accepted is checked against the isolate's
// copy of every revoked id, fetched from the registry at most once per memo TTL for all tokens
// together (not once per token): a dashboard request then waits on no registry call, and the one
// registry every isolate asks sees one call per isolate every few seconds instead of one per
// token. The TTL still bounds how long an isolate keeps accepting a token revoked elsewhere
// (CONTRACT section 5: within 10 s). With more revoked ids than are worth copying, tokens are
// asked about one by one, each answer kept for the same TTL.
import { accessCacheTtlMs, IsolateCache } from './isolate-cache.ts';

export interface RevocationSource {
  isTokenRevoked(tokenId: string): Promise<boolean>;
  revokedTokenIds(limit: number): Promise<string[] | null>;
}

/** More revoked ids than this are not copied into every isolate. */
export const revokedIdsCopyLimit = 10_000;
const maxSeenTokens = 10_000;

export class RevocationMemo {
  private readonly revokedHere = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly oneByOne = new IsolateCache<boolean>();
  private copy: { ids: Set<string> | null; fetchedMs: number } | null = null;
  private fetching: Promise<Set<string> | null> | null = null;

  /** `source` is only called when the registry must be asked. */
  async isRevoked(source: () => RevocationSource, tokenId: string, nowMs: number = Date.now()): Promise<boolean> {
    if (this.revokedHere.has(tokenId)) return true;
    if (!this.seen.has(tokenId)) {
      const revoked = await source().isTokenRevoked(tokenId);
      this.remember(tokenId, revoked, nowMs);
      return revoked;
    }
    const ids = this.copy !== null && nowMs - this.copy.fetchedMs < accessCacheTtlMs ? this.copy.ids : await this.fetchIds(source, nowMs);
    if (ids === null) return this.oneByOne.get(tokenId, () => source().isTokenRevoked(tokenId), nowMs);
    return ids.has(tokenId) || this.revokedHere.has(tokenId);
  }

  /** The isolate that revoked a token refuses it at once, without waiting for its copy to expire. */
  remember(tokenId: string, revoked: boolean, nowMs: number = Date.now()): void {
    if (revoked) {
      if (this.revokedHere.size >= maxSeenTokens) this.revokedHere.clear();
      this.revokedHere.add(tokenId);
    }
    if (this.seen.size >= maxSeenTokens) this.seen.clear();
    this.seen.add(tokenId);
    this.oneByOne.put(tokenId, revoked, nowMs);
  }

  /** One fetch at a time: requests arriving meanwhile wait for it rather than ask again. */
  private fetchIds(source: () => RevocationSource, nowMs: number): Promise<Set<string> | null> {
    this.fetching ??= source()
      .revokedTokenIds(revokedIdsCopyLimit)
      .then((ids) => {
        const copied = ids === null ? null : new Set(ids);
        // Dated from when it was asked for: a revocation after that instant may be missing from it.
        this.copy = { ids: copied, fetchedMs: nowMs };
        return copied;
      })
      .finally(() => {
        this.fetching = null;
      });
    return this.fetching;
  }
}
