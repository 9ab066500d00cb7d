// Follows the frontend (client-to-server) half of a Postgres connection just far enough to see
// the Terminate message ('X'), whatever the chunking. Startup-phase messages carry no type byte
// (int32 length, int32 code); everything after the StartupMessage is type byte + int32 length.
const sslRequestCode = 80877103;
const gssEncRequestCode = 80877104;
const terminateType = 0x58;

export class PostgresTerminateDetector {
  #inStartup = true;
  #header: number[] = [];
  #bodyBytesLeft = 0;
  #terminated = false;

  get terminated(): boolean {
    return this.#terminated;
  }

  /** Feeds the next bytes the client sent; answers whether a Terminate message is complete. */
  push(chunk: Uint8Array): boolean {
    let offset = 0;
    while (offset < chunk.length && !this.#terminated) {
      if (this.#bodyBytesLeft > 0) {
        const skipped = Math.min(this.#bodyBytesLeft, chunk.length - offset);
        this.#bodyBytesLeft -= skipped;
        offset += skipped;
        continue;
      }
      const headerLength = this.#inStartup ? 8 : 5;
      while (this.#header.length < headerLength && offset < chunk.length) this.#header.push(chunk[offset++]!);
      if (this.#header.length < headerLength) break;
      const header = Buffer.from(this.#header);
      this.#header = [];
      if (this.#inStartup) {
        const code = header.readInt32BE(4);
        this.#bodyBytesLeft = Math.max(0, header.readInt32BE(0) - 8);
        // SSL and GSS encryption requests are answered before the real StartupMessage follows.
        if (code !== sslRequestCode && code !== gssEncRequestCode) this.#inStartup = false;
      } else {
        this.#bodyBytesLeft = Math.max(0, header.readInt32BE(1) - 4);
        if (header[0] === terminateType) this.#terminated = true;
      }
    }
    return this.#terminated;
  }
}
