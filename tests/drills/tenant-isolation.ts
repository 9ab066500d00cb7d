// Drill: one customer's token, session cookie and ingest key against every route the Worker
// serves (tests/drills/routes.ts), with the other customer's ids. The probes themselves live in
// isolation-probes.ts, which the workerd test runs as well.
import { Verdict, type Drill } from './drill.ts';
import { probeTenantIsolation } from './isolation-probes.ts';
import { routeInventory } from './routes.ts';

export const tenantIsolation: Drill<Record<string, never>> = {
  name: 'tenant-isolation',
  title: "a customer's credentials against every route and the other tenant's ids",
  needs: {},
  full: {},
  async run({ stack, log, seed }) {
    const verdict = new Verdict();
    const result = await probeTenantIsolation(
      {
        fetch: (path, init) => fetch(`${stack.baseUrl}${path}`, { ...init, redirect: 'manual' }),
        sql: (text, params) => stack.sql.query(text, params),
        jwtSecret: stack.stack.jwtSecret,
      },
      { label: `drill-iso-${seed}`, log },
    );
    verdict.failures.push(...result.failures);
    const byAccess = new Map<string, number>();
    for (const route of routeInventory) byAccess.set(route.access, (byAccess.get(route.access) ?? 0) + 1);
    return {
      facts: [
        ['routes', `${routeInventory.length} (${[...byAccess].map(([access, n]) => `${n} ${access}`).join(', ')})`],
        ['probes', `${result.probes} requests from two tenants, ${result.refused} refused with 401/403, ${result.failures.length} wrong`],
      ],
      failures: verdict.failures,
    };
  },
};
