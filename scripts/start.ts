// `npm start`: the whole product on this machine (see local/stack.ts), until Ctrl-C.
// Reads PORT, DATABASE_URL, REDIS_URL, DEMO and the alert settings PAGERDUTY_URL,
// PAGERDUTY_ROUTING_KEY, ALERT_WEBHOOK_URL, ALERT_WEBHOOK_SECRET.
import { DataDirInUseError } from '../local/data-dir-lock.ts';
import { startLocalStack, type LocalStack } from '../local/stack.ts';
import { signToken } from '../workers/auth/tokens.ts';

const alertVarNames = ['PAGERDUTY_URL', 'PAGERDUTY_ROUTING_KEY', 'ALERT_WEBHOOK_URL', 'ALERT_WEBHOOK_SECRET'];
const operatorTokenTtlSeconds = 7 * 24 * 3600;

function portFromEnv(): number {
  const text = process.env.PORT;
  if (!text) return 8787;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`PORT must be a TCP port number (1-65535), not "${text}".`);
    process.exit(2);
  }
  return port;
}

function alertVars(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const name of alertVarNames) {
    const value = process.env[name];
    if (value) vars[name] = value;
  }
  return vars;
}

async function stopAndExit(stack: LocalStack, code: number): Promise<never> {
  try {
    await stack.stop();
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
  process.exit(code);
}

// A signal while the stack is still starting is honoured once it has started, so nothing it
// spawned is left behind.
let stack: LocalStack | undefined;
let stopRequested = false;
const onSignal = (signal: NodeJS.Signals): void => {
  if (stopRequested) return;
  stopRequested = true;
  console.log(`\n${signal}: stopping...`);
  if (stack) void stopAndExit(stack, 0);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const startedAt = Date.now();
try {
  stack = await startLocalStack({
    port: portFromEnv(),
    databaseUrl: process.env.DATABASE_URL || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    demo: process.env.DEMO !== 'off',
    cron: true,
    vars: alertVars(),
    onWorkerExit(error) {
      console.error(`\n${error.message}\nStopping.`);
      if (stack) void stopAndExit(stack, 1);
    },
  });
} catch (error) {
  console.error(error instanceof DataDirInUseError ? error.message : error);
  process.exit(1);
}
if (stopRequested) await stopAndExit(stack, 0);

const operator = await signToken(stack.jwtSecret, { role: 'operator', subject: 'local-operator', ttlSeconds: operatorTokenTtlSeconds });
const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
console.log(`
Switchboard is running at ${stack.baseUrl} (ready in ${seconds} s)

  ${stack.baseUrl}/login       sign in with a token
  ${stack.baseUrl}/ops         operator dashboard
  ${stack.baseUrl}/dashboard   customer dashboard

Tokens: \`npm run token -- operator\` or \`npm run token -- customer <customer_id>\`.
An operator token valid for 7 days:

  ${operator.token}

Data lives in ${stack.dataDir} (\`npm run reset\` deletes it). Ctrl-C stops everything.
`);
