// Bodies compressed once and answered many times. The operator's live view is about 370 KiB of
// JSON for 1,000 customers and changes only every few seconds while dashboards poll it: each built
// view is compressed once, when a client that takes gzip first asks, and sent as those bytes.
import type { Context } from 'hono';
import { accepts } from 'hono/accepts';

export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const compressed = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(compressed).arrayBuffer());
}

/** Whether the client takes gzip (Accept-Encoding with q > 0); without the header it does not. */
export function acceptsGzip(c: Context): boolean {
  return accepts(c, { header: 'Accept-Encoding', supports: ['gzip'], default: 'identity' }) === 'gzip';
}

/**
 * A 200 whose body is already gzip bytes. `encodeBody: 'manual'` tells workerd to send them as
 * they are: with a Content-Encoding header and the default, it would compress them again.
 */
export function gzipResponse(body: Uint8Array<ArrayBuffer>, headers: Record<string, string>): Response {
  const init: ResponseInit & { encodeBody: 'manual' } = { status: 200, headers: { ...headers, 'content-encoding': 'gzip' }, encodeBody: 'manual' };
  return new Response(body, init);
}
