// `npm run token -- operator` / `npm run token -- customer <id> [--ttl <seconds>]`: prints an HS256
// token for the configured secret (JWT_SECRET, else the one `npm start` generated in .data/).
import { readLocalJwtSecret } from '../local/stack.ts';
import { signToken } from '../workers/auth/tokens.ts';

const usage = 'usage: npm run token -- operator [--ttl SECONDS]\n       npm run token -- customer <customer_id> [--ttl SECONDS]';
const defaultTtlSeconds = 7 * 24 * 3600;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const ttlIndex = args.indexOf('--ttl');
const ttlSeconds = ttlIndex >= 0 ? Number(args[ttlIndex + 1]) : defaultTtlSeconds;
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) fail('--ttl must be a positive whole number of seconds');
const [role, customerId] = ttlIndex >= 0 ? args.slice(0, ttlIndex) : args;

const secret = await readLocalJwtSecret();
if (!secret) fail('No JWT secret yet: set JWT_SECRET, or run `npm start` once (it generates one in .data/).');

if (role === 'operator') {
  console.log((await signToken(secret, { role: 'operator', subject: 'local-operator', ttlSeconds })).token);
} else if (role === 'customer') {
  if (!customerId || !/^[A-Za-z0-9_-]{1,64}$/.test(customerId)) fail('customer needs a customer id');
  console.log((await signToken(secret, { role: 'customer', subject: `local-user@${customerId}`, customerId, ttlSeconds })).token);
} else {
  fail(`unknown role "${role ?? ''}"`);
}
