// A short-lived memo in isolate memory for the access checks every request makes. Its TTL is the
// bound on how long a revocation takes to reach every isolate (CONTRACT: within 10 s).
export const accessCacheTtlMs = 5_000;
const maxEntries = 10_000;

export class IsolateCache<V> {
  private readonly entries = new Map<string, { value: V; expiresMs: number }>();

  async get(key: string, load: () => Promise<V>, nowMs: number = Date.now()): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresMs > nowMs) return hit.value;
    const value = await load();
    if (this.entries.size >= maxEntries) this.entries.clear();
    this.entries.set(key, { value, expiresMs: nowMs + accessCacheTtlMs });
    return value;
  }
}
