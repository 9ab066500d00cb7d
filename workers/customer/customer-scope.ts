// Every customer read runs here: in a transaction that drops to the non-owner reader role and
// sets the tenant locally, so Postgres's row-level security decides what is visible. The
// customer id comes from the verified token (or an operator's view-session), never the request.
import { sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/client.ts';

export async function withCustomerScope<T>(db: Database, customerId: string, read: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL ROLE switchboard_customer_reader`);
    await tx.execute(sql`SELECT set_config('app.current_customer_id', ${customerId}, true)`);
    return read(tx);
  });
}
