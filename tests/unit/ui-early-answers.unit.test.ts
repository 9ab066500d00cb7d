// The requests ops.html and dashboard.html start before their code arrives: the page's first
// requests take those answers instead of asking again, and the HTML asks for exactly what the
// view opens with (its inline script is run here against the page's own API clients).
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { customerApi } from '../../ui/dashboard/customer-api.ts';
import { opsApi } from '../../ui/ops/ops-api.ts';
import { api, earlyAnswersGlobal } from '../../ui/shared/api.ts';

type EarlyAnswers = Record<string, Promise<Response>>;

/** Every fetch the code makes from now on, answered with an empty JSON object. */
function recordFetches(): string[] {
  const urls: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    urls.push(url);
    return Response.json({});
  });
  return urls;
}

/** Runs the page's inline script at `address`; answers the URLs it fetched. */
function openHtml(page: 'ops' | 'dashboard', address: string): string[] {
  const html = readFileSync(new URL(`../../ui/${page}.html`, import.meta.url), 'utf8');
  const inline = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (inline === undefined) throw new Error(`ui/${page}.html has no inline script`);
  const early: string[] = [];
  const url = new URL(address, 'http://switchboard.test');
  runInNewContext(inline, {
    window: globalThis,
    location: { pathname: url.pathname, search: url.search },
    URLSearchParams,
    fetch: async (requested: string) => {
      early.push(requested);
      return Response.json({ early: requested });
    },
  });
  return early;
}

afterEach(() => {
  vi.unstubAllGlobals();
  delete (globalThis as { [earlyAnswersGlobal]?: EarlyAnswers })[earlyAnswersGlobal];
});

describe('early answers', () => {
  test('the first GET of an early URL takes its answer; the next one asks the server', async () => {
    (globalThis as { [earlyAnswersGlobal]?: EarlyAnswers })[earlyAnswersGlobal] = { '/api/x?days=30': Promise.resolve(Response.json({ from: 'html' })) };
    const late = recordFetches();
    expect(await api.get('/api/x', { query: { days: 30 } })).toEqual({ ok: true, status: 200, data: { from: 'html' } });
    expect(late).toEqual([]);
    expect(await api.get('/api/x', { query: { days: 30 } })).toEqual({ ok: true, status: 200, data: {} });
    expect(late).toEqual(['/api/x?days=30']);
  });

  test('a request that is not a GET never takes one', async () => {
    (globalThis as { [earlyAnswersGlobal]?: EarlyAnswers })[earlyAnswersGlobal] = { '/api/x': Promise.resolve(Response.json({ from: 'html' })) };
    const late = recordFetches();
    expect(await api.post('/api/x', {})).toEqual({ ok: true, status: 200, data: {} });
    expect(late).toEqual(['/api/x']);
  });

  test('an early request that failed reads as an unreachable server', async () => {
    (globalThis as { [earlyAnswersGlobal]?: EarlyAnswers })[earlyAnswersGlobal] = { '/api/x': Promise.reject(new TypeError('Failed to fetch')) };
    recordFetches();
    const answer = await api.get('/api/x');
    expect(answer.ok ? null : answer.error.code).toBe('network_error');
  });
});

describe('the pages ask early for what they open with', () => {
  test('/dashboard: the overview and the 30 days, each answered once from the HTML', async () => {
    const early = openHtml('dashboard', '/dashboard');
    const late = recordFetches();
    const answers = await Promise.all([customerApi.overview(), customerApi.usage()]);
    expect(late).toEqual([]);
    expect(early).toHaveLength(2);
    expect(answers.map((answer) => (answer.ok ? answer.data : null))).toEqual(early.map((url) => ({ early: url })));
  });

  test('/ops: the live view (of the region in the URL) and the alert feed', async () => {
    for (const [address, region] of [['/ops', null], ['/ops?region=eu&range=24h', 'eu']] as const) {
      const early = openHtml('ops', address);
      const late = recordFetches();
      const answers = await Promise.all([opsApi.live(region), opsApi.alerts()]);
      expect(late).toEqual([]);
      expect(answers.map((answer) => (answer.ok ? answer.data : null))).toEqual(early.map((url) => ({ early: url })));
    }
  });

  test('other views of the pages ask for nothing early', () => {
    expect(openHtml('dashboard', '/dashboard/calls')).toEqual([]);
    expect(openHtml('dashboard', '/dashboard/invoices/2026-10')).toEqual([]);
    expect(openHtml('ops', '/ops/calls?customer_id=acme')).toEqual([]);
  });
});
