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
