// The tenant-isolation drill inside workerd: the same probes `npm run drills` sends to the real
// stack (tests/drills/isolation-probes.ts), and the route list they walk checked against the
// routes the Worker actually registers, so no route escapes the drill.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../workers/app.ts';
import { probeTenantIsolation } from '../drills/isolation-probes.ts';
import { routeInventory } from '../drills/routes.ts';
import { call, queryRows, uniqueCustomerId } from './support.ts';

describe('tenant isolation drill', () => {
  it('lists every route createApp() registers, each once, and nothing else', () => {
    const registered = new Set(createApp().routes.filter((route) => route.method !== 'ALL').map((route) => `${route.method} ${route.path}`));
    const listed = routeInventory.map((route) => `${route.method} ${route.path}`);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...registered].sort());
  });

  it("refuses a customer's token, cookie and ingest key on every route that is not theirs, and never answers with the other tenant's data", async () => {
    const result = await probeTenantIsolation(
      { fetch: (path, init) => call(path, init), sql: (text, params) => queryRows(text, params), jwtSecret: env.JWT_SECRET },
      { label: uniqueCustomerId('iso') },
    );
    expect(result.failures).toEqual([]);
    expect(result.refused).toBeGreaterThan(100);
  }, 60_000);
});
