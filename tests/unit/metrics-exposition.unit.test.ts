import { describe, expect, it } from 'vitest';
import { formatExposition, histogramSamples, quantileSamples } from '../../workers/metrics/exposition.ts';

describe('Prometheus text exposition', () => {
  it('writes HELP and TYPE before each family and one line per sample, in the order given', () => {
    const text = formatExposition([
      { name: 'switchboard_active_calls', help: 'Calls in progress.', type: 'gauge', samples: [{ value: 3 }] },
      {
        name: 'switchboard_customer_load_ratio',
        help: 'Load.',
        type: 'gauge',
        samples: [
          { labels: { customer: 'acme' }, value: 0.25 },
          { labels: { customer: 'globex' }, value: 2.5 },
        ],
      },
    ]);
    expect(text).toBe(
      [
        '# HELP switchboard_active_calls Calls in progress.',
        '# TYPE switchboard_active_calls gauge',
        'switchboard_active_calls 3',
        '# HELP switchboard_customer_load_ratio Load.',
        '# TYPE switchboard_customer_load_ratio gauge',
        'switchboard_customer_load_ratio{customer="acme"} 0.25',
        'switchboard_customer_load_ratio{customer="globex"} 2.5',
        '',
      ].join('\n'),
    );
  });

  it('escapes backslash, double quote and newline in label values, and backslash and newline in HELP', () => {
    const text = formatExposition([
      { name: 'x_ratio', help: 'A \\ path\nand a second line "quoted"', type: 'gauge', samples: [{ labels: { provider: 'a\\b"c\nd' }, value: 1 }] },
    ]);
    expect(text).toBe('# HELP x_ratio A \\\\ path\\nand a second line "quoted"\n# TYPE x_ratio gauge\nx_ratio{provider="a\\\\b\\"c\\nd"} 1\n');
  });

  it('writes non-finite values as Prometheus spells them and keeps small and large numbers exact', () => {
    const text = formatExposition([
      {
        name: 'v',
        help: 'values',
        type: 'gauge',
        samples: [
          { labels: { k: 'nan' }, value: NaN },
          { labels: { k: 'inf' }, value: Infinity },
          { labels: { k: 'neg' }, value: -Infinity },
          { labels: { k: 'micro' }, value: 0.000001 },
          { labels: { k: 'big' }, value: 9007199254740991 },
        ],
      },
    ]);
    expect(text.split('\n').slice(2, 7)).toEqual(['v{k="nan"} NaN', 'v{k="inf"} +Inf', 'v{k="neg"} -Inf', 'v{k="micro"} 0.000001', 'v{k="big"} 9007199254740991']);
  });

  it('leaves out families without samples and answers an empty body when none has any', () => {
    expect(formatExposition([{ name: 'empty', help: 'nothing', type: 'gauge', samples: [] }])).toBe('');
  });

  it('refuses a family listed twice, an invalid metric name and an invalid label name', () => {
    const family = { name: 'a', help: 'h', type: 'gauge' as const, samples: [{ value: 1 }] };
    expect(() => formatExposition([family, family])).toThrow('listed twice');
    expect(() => formatExposition([{ ...family, name: 'switchboard-bad' }])).toThrow('not a valid metric name');
    expect(() => formatExposition([{ ...family, samples: [{ labels: { 'bad-label': 'v' }, value: 1 }] }])).toThrow('not a valid label name');
  });

  it('writes summaries as quantile lines without the quantiles that have no value', () => {
    const text = formatExposition([
      {
        name: 'switchboard_turn_e2e_latency_seconds',
        help: 'Latency.',
        type: 'summary',
        samples: quantileSamples({ region: 'us' }, [
          [0.5, 0.81],
          [0.95, 1.2],
          [0.99, null],
        ]),
      },
    ]);
    expect(text).toBe(
      [
        '# HELP switchboard_turn_e2e_latency_seconds Latency.',
        '# TYPE switchboard_turn_e2e_latency_seconds summary',
        'switchboard_turn_e2e_latency_seconds{region="us",quantile="0.5"} 0.81',
        'switchboard_turn_e2e_latency_seconds{region="us",quantile="0.95"} 1.2',
        '',
      ].join('\n'),
    );
  });

  it('writes histograms with cumulative le buckets ending at +Inf, then _sum and _count', () => {
    const text = formatExposition([
      {
        name: 'switchboard_http_request_duration_seconds',
        help: 'Durations.',
        type: 'histogram',
        samples: histogramSamples({ route: '/metrics' }, { bounds: [0.1, 1], counts: [2, 0, 1], sum: 3.5 }),
      },
    ]);
    expect(text).toBe(
      [
        '# HELP switchboard_http_request_duration_seconds Durations.',
        '# TYPE switchboard_http_request_duration_seconds histogram',
        'switchboard_http_request_duration_seconds_bucket{route="/metrics",le="0.1"} 2',
        'switchboard_http_request_duration_seconds_bucket{route="/metrics",le="1"} 2',
        'switchboard_http_request_duration_seconds_bucket{route="/metrics",le="+Inf"} 3',
        'switchboard_http_request_duration_seconds_sum{route="/metrics"} 3.5',
        'switchboard_http_request_duration_seconds_count{route="/metrics"} 3',
        '',
      ].join('\n'),
    );
  });
});
