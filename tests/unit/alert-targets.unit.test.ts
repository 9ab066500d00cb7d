import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { AlertTarget } from '../../durable/alerts/alert-types.ts';
import { envTargets, generateWebhookSecret, parseTargetInput, redactTarget, webhookSecretProblem } from '../../durable/alerts/targets.ts';

const secret24 = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
const defaults = { pagerDutyUrl: 'https://events.pagerduty.com/v2/enqueue' };

describe('targets from the environment', () => {
  it('configures nobody when nothing is set', () => {
    expect(envTargets({})).toEqual([]);
    expect(envTargets({ PAGERDUTY_URL: 'https://events.pagerduty.com/v2/enqueue', PAGERDUTY_ROUTING_KEY: '', ALERT_WEBHOOK_URL: ' ', ALERT_WEBHOOK_SECRET: secret24 })).toEqual([]);
  });

  it('makes one PagerDuty target from the routing key and one webhook target from the URL', () => {
    const targets = envTargets({
      PAGERDUTY_URL: 'http://127.0.0.1:9999/v2/enqueue',
      PAGERDUTY_ROUTING_KEY: 'abc123routingkey',
      ALERT_WEBHOOK_URL: 'https://hooks.example.com/in',
      ALERT_WEBHOOK_SECRET: secret24,
    });
    expect(targets).toEqual([
      { id: 'env-pagerduty', kind: 'pagerduty', name: 'PagerDuty (PAGERDUTY_ROUTING_KEY)', url: 'http://127.0.0.1:9999/v2/enqueue', routingKey: 'abc123routingkey', secret: null, source: 'env' },
      { id: 'env-webhook', kind: 'webhook', name: 'Webhook (ALERT_WEBHOOK_URL)', url: 'https://hooks.example.com/in', routingKey: null, secret: secret24, source: 'env' },
    ]);
  });

  it("posts to PagerDuty's public endpoint when PAGERDUTY_URL is empty", () => {
    expect(envTargets({ PAGERDUTY_URL: '', PAGERDUTY_ROUTING_KEY: 'key' })[0]?.url).toBe('https://events.pagerduty.com/v2/enqueue');
  });

  it('keeps a webhook URL without a usable secret as a target that reports the problem', () => {
    const [target] = envTargets({ ALERT_WEBHOOK_URL: 'https://hooks.example.com/in', ALERT_WEBHOOK_SECRET: '' });
    expect(target).toBeDefined();
    expect(redactTarget(target as AlertTarget).configuration_error).toBe('a webhook target needs a whsec_ signing secret');
  });
});

describe('webhook secrets', () => {
  it('generates secrets the Standard Webhooks library accepts, different each time', () => {
    const first = generateWebhookSecret();
    const second = generateWebhookSecret();
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(first).not.toBe(second);
    expect(webhookSecretProblem(first)).toBeNull();
    const signature = new Webhook(first).sign('msg_1', new Date(), '{}');
    expect(signature).toMatch(/^v1,/);
  });

  it.each([
    ['not-a-secret', 'must start with "whsec_"'],
    ['whsec_', 'must be "whsec_" followed by standard base64'],
    ['whsec_abc$', 'must be "whsec_" followed by standard base64'],
    ['whsec_abcde', 'must be "whsec_" followed by standard base64'],
    [`whsec_${Buffer.alloc(16).toString('base64')}`, 'must encode 24 to 64 bytes (this one has 16)'],
    [`whsec_${Buffer.alloc(65).toString('base64')}`, 'must encode 24 to 64 bytes (this one has 65)'],
  ])('refuses %s', (secret, problem) => {
    expect(webhookSecretProblem(secret)).toBe(problem);
  });

  it('accepts 24 and 64 byte secrets', () => {
    expect(webhookSecretProblem(secret24)).toBeNull();
    expect(webhookSecretProblem(`whsec_${Buffer.alloc(64, 1).toString('base64')}`)).toBeNull();
  });
});

describe('targets created through the API', () => {
  it('builds a PagerDuty target, posting to the deployment URL unless told otherwise', () => {
    const parsed = parseTargetInput({ kind: 'pagerduty', name: ' Primary on-call ', routing_key: 'R0123' }, defaults);
    expect(parsed).toMatchObject({ ok: true, generatedSecret: null, target: { kind: 'pagerduty', name: 'Primary on-call', url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'R0123', secret: null, source: 'api' } });
    expect(parsed.ok && parsed.target.id).toMatch(/^tgt_[0-9a-f]{16}$/);
    const custom = parseTargetInput({ kind: 'pagerduty', name: 'EU', url: 'https://events.eu.pagerduty.com/v2/enqueue', routing_key: 'R0123' }, defaults);
    expect(custom.ok && custom.target.url).toBe('https://events.eu.pagerduty.com/v2/enqueue');
  });

  it('keeps a webhook secret it was given and generates one, shown once, when it was not', () => {
    const given = parseTargetInput({ kind: 'webhook', name: 'Hooks', url: 'https://hooks.example.com/in', secret: secret24 }, defaults);
    expect(given).toMatchObject({ ok: true, generatedSecret: null, target: { secret: secret24 } });
    const generated = parseTargetInput({ kind: 'webhook', name: 'Hooks', url: 'http://127.0.0.1:8080/in' }, defaults);
    if (!generated.ok) throw new Error('expected a target');
    expect(generated.generatedSecret).toMatch(/^whsec_/);
    expect(generated.target.secret).toBe(generated.generatedSecret);
  });

  it.each([
    [{ kind: 'pagerduty', name: 'P', url: 'https://events.pagerduty.com/v2/enqueue' }, ['routing_key']],
    [{ kind: 'webhook', name: 'W', url: 'ftp://hooks.example.com/in' }, ['url']],
    [{ kind: 'webhook', name: 'W', url: 'https://user:pass@hooks.example.com/in' }, ['url']],
    [{ kind: 'webhook', name: 'W', url: 'https://hooks.example.com/in', secret: 'whsec_short' }, ['secret']],
    [{ kind: 'webhook', name: '', url: 'https://hooks.example.com/in' }, ['name']],
    [{ kind: 'webhook', name: 'W', url: 'https://hooks.example.com/in', routing_key: 'R0123' }, ['routing_key']],
    [{ kind: 'email', name: 'E', url: 'https://hooks.example.com/in' }, ['kind']],
  ])('refuses %j, naming %j', (input, paths) => {
    const parsed = parseTargetInput(input, defaults);
    if (parsed.ok) throw new Error('expected a refusal');
    expect(parsed.issues.map((issue) => issue.path.join('.'))).toEqual(paths);
  });
});

describe('redacted targets', () => {
  it('shows a prefix of keys and secrets, and no credentials or query values in the URL', () => {
    const pagerDuty: AlertTarget = { id: 'env-pagerduty', kind: 'pagerduty', name: 'PD', url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'R0UTINGKEY0123456789abcdefABCDEF', secret: null, source: 'env' };
    const webhook: AlertTarget = { id: 'tgt_1', kind: 'webhook', name: 'W', url: 'https://bot:pw@hooks.example.com/in?token=abc', routingKey: null, secret: secret24, source: 'api' };
    expect(redactTarget(pagerDuty)).toEqual({
      id: 'env-pagerduty',
      kind: 'pagerduty',
      name: 'PD',
      url: 'https://events.pagerduty.com/v2/enqueue',
      source: 'env',
      routing_key_prefix: 'R0UT…',
      secret_prefix: null,
      configuration_error: null,
    });
    const shown = redactTarget(webhook);
    expect(shown).toMatchObject({ url: 'https://hooks.example.com/in?…', routing_key_prefix: null, secret_prefix: `${secret24.slice(0, 10)}…` });
    expect(JSON.stringify(shown)).not.toContain(secret24.slice(6));
    expect(JSON.stringify(shown)).not.toContain('token=abc');
  });
});
