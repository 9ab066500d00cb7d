// The Worker entry: the hono app for HTTP, and the Durable Object classes wrangler binds.
import { createApp } from './app.ts';

export { AccessRegistry } from '../durable/AccessRegistry.ts';
export { PlatformMeter } from '../durable/PlatformMeter.ts';
export { TenantMeter } from '../durable/TenantMeter.ts';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
