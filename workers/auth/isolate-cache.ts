// A short-lived memo in isolate memory for the access checks every request makes. Its TTL is the
// bound on how long a revocation takes to reach every isolate (CONTRACT: within 10 s).
export const accessCacheTtlMs = 5_000;
const maxEntries = 10_000;

export class IsolateCache<V> {
  private readonly entries = new Map<string, { value: V; expiresMs: number }>();

  peek(key: string, nowMs: number = Date.now()): { value: V } | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expiresMs > nowMs ? { value: hit.value } : undefined;
  }

  put(key: string, value: V, nowMs: number = Date.now()): void {
    if (this.entries.size >= maxEntries) this.entries.clear();
    this.entries.set(key, { value, expiresMs: nowMs + accessCacheTtlMs });
  }

  async get(key: string, load: () => Promise<V>, nowMs: number = Date.now()): Promise<V> {
    const hit = this.peek(key, nowMs);
    if (hit) return hit.value;
    const value = await load();
    this.put(key, value, nowMs);
    return value;
  }
}
