// Many rows in one SQLite statement: a Durable Object statement costs tens of microseconds
// whatever it does, so a batch's rows travel as one JSON array parameter, read with json_each(?),
// instead of one statement per row. Bound parameters are few (100), so VALUES lists cannot do
// this. Rows go in chunks of bounded JSON length, so a 1 MiB request never makes a string
// parameter near SQLite's length limit: a normal batch is one statement, the largest a handful.
const maxChunkChars = 256 * 1024;

function jsonChunks(rows: readonly unknown[]): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let chars = 0;
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (parts.length > 0 && chars + text.length > maxChunkChars) {
      chunks.push(`[${parts.join(',')}]`);
      parts = [];
      chars = 0;
    }
    parts.push(text);
    chars += text.length + 1;
  }
  if (parts.length > 0) chunks.push(`[${parts.join(',')}]`);
  return chunks;
}

/**
 * Runs `statement`, whose first parameter is a JSON array read with json_each(?), over `rows`
 * (in order, in as few statements as the chunk size allows); `params` follow the array.
 */
export function execJsonRows(sql: SqlStorage, statement: string, rows: readonly unknown[], ...params: SqlStorageValue[]): void {
  for (const chunk of jsonChunks(rows)) sql.exec(statement, chunk, ...params);
}

/** Like execJsonRows, for a query: the rows every chunk's statement answered, in chunk order. */
export function queryJsonRows<T extends Record<string, SqlStorageValue>>(sql: SqlStorage, statement: string, rows: readonly unknown[], ...params: SqlStorageValue[]): T[] {
  return jsonChunks(rows).flatMap((chunk) => sql.exec<T>(statement, chunk, ...params).toArray());
}
