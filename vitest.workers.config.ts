// Tests that run inside workerd: the Worker and its Durable Objects as wrangler.toml declares them.
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const testJwtSecret = 'workerd-test-secret-0123456789abcdef0123456789';

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          ENVIRONMENT: 'test',
          EVENT_BUFFER_LIMIT: '2000',
          JWT_SECRET: testJwtSecret,
          DATABASE_URL: inject('databaseUrl'),
          NEON_WS_PROXY: inject('neonWsProxy'),
          UPSTASH_REDIS_REST_URL: inject('redisRestUrl'),
          UPSTASH_REDIS_REST_TOKEN: inject('redisRestToken'),
          // One environment-configured alert target, at a closed port, so the target API has an
          // undeletable target to show; its path keeps it apart from the sinks alert tests filter on.
          ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/env-webhook',
          ALERT_WEBHOOK_SECRET: 'whsec_d29ya2VyZC10ZXN0LWFsZXJ0LXdlYmhvb2stc2VjcmV0IQ==',
        },
      },
    })),
  ],
  test: {
    name: 'workerd',
    include: ['tests/workerd/**/*.workerd.test.ts'],
    globalSetup: ['tests/support/workerd-global-setup.ts'],
  },
});
