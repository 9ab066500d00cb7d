// A webhook receiver the alert drill controls: it answers 503 while "down" and 204 otherwise, and
// checks every request the way a real receiver would, with the standardwebhooks library, keeping
// what it saw for the drill to judge (receipt order, webhook-id, verified payload).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface WebhookReceipt {
  at: number;
  /** What the sink answered. */
  status: number;
  webhookId: string | null;
  /** The verified payload, or why verification refused the request. */
  payload: { type?: string; data?: { dedup_key?: string } } | null;
  verifyError: string | null;
}

export interface AlertSink {
  url: string;
  secret: string;
  receipts: WebhookReceipt[];
  setDown(down: boolean): void;
  stop(): Promise<void>;
}

export async function startAlertSink(): Promise<AlertSink> {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const verifier = new Webhook(secret);
  const receipts: WebhookReceipt[] = [];
  let down = false;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      let payload: WebhookReceipt['payload'] = null;
      let verifyError: string | null = null;
      try {
        payload = verifier.verify(body, headers) as WebhookReceipt['payload'];
      } catch (error) {
        verifyError = error instanceof Error ? error.message : String(error);
      }
      // A load balancer in front of a receiver that is down: no Retry-After, so the sender's own backoff decides.
      const status = down ? 503 : 204;
      receipts.push({ at: Date.now(), status, webhookId: headers['webhook-id'] ?? null, payload, verifyError });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    secret,
    receipts,
    setDown(value) {
      down = value;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
