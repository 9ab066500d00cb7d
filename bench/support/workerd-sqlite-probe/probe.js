// Plain JavaScript: bench/ type-checks as Node tooling, and this file runs in workerd.
// GET /?statement=select|insert|none&count=N runs N statements in one transaction. workerd's
// clock stands still while code runs, so the bench times the requests from outside and
// subtracts the `none` request.
import { DurableObject } from 'cloudflare:workers';

export class SqliteProbe extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, received_ms INTEGER NOT NULL)');
    this.sql.exec('CREATE INDEX IF NOT EXISTS seen_received ON seen (received_ms)');
    this.round = 0;
  }

  run(statement, count) {
    this.round += 1;
    const prefix = `${this.round}-${Math.random()}`;
    let found = 0;
    this.ctx.storage.transactionSync(() => {
      for (let i = 0; i < count; i++) {
        if (statement === 'select') found += this.sql.exec('SELECT 1 FROM seen WHERE id = ?', `${prefix}-${i}`).toArray().length;
        else if (statement === 'insert') this.sql.exec('INSERT INTO seen (id, received_ms) VALUES (?, ?)', `${prefix}-${i}`, i);
      }
    });
    return found;
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const statement = url.searchParams.get('statement') ?? 'none';
    const count = Number(url.searchParams.get('count') ?? '0');
    const found = await env.PROBE.get(env.PROBE.idFromName('probe')).run(statement, count);
    return Response.json({ found });
  },
};
