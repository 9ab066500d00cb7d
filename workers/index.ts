// The Worker entry: the hono app for HTTP, and the Durable Object classes wrangler binds.
import { createApp } from './app.ts';
import { handleScheduled } from './scheduled/handle-scheduled.ts';

export { AccessRegistry } from '../durable/AccessRegistry.ts';
export { AlertDesk } from '../durable/AlertDesk.ts';
export { PlatformMeter } from '../durable/PlatformMeter.ts';
export { TenantMeter } from '../durable/TenantMeter.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(handleScheduled(controller, env, ctx)),
} satisfies ExportedHandler<Env>;
