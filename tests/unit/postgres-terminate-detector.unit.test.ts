import { describe, expect, test } from 'vitest';
import { PostgresTerminateDetector } from '../../local/postgres-terminate-detector.ts';

function untyped(code: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(code, 4);
  return Buffer.concat([header, body]);
}

function typed(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

const startup = untyped(196608, Buffer.from('user\0postgres\0database\0X\0\0'));
const sslRequest = untyped(80877103);
// A query whose text holds the bytes of a Terminate message.
const query = typed('Q', Buffer.concat([Buffer.from('SELECT '), Buffer.from([0x58, 0, 0, 0, 4]), Buffer.from('\0')]));
const terminate = typed('X');

describe('PostgresTerminateDetector', () => {
  test('sees Terminate after a startup and a query sent in one chunk', () => {
    expect(new PostgresTerminateDetector().push(Buffer.concat([startup, query, terminate]))).toBe(true);
  });

  test('sees Terminate when every byte arrives on its own', () => {
    const detector = new PostgresTerminateDetector();
    const bytes = Buffer.concat([startup, query, terminate]);
    const answers = [...bytes].map((byte) => detector.push(Buffer.from([byte])));
    expect(answers.indexOf(true)).toBe(bytes.length - 1);
  });

  test('does not mistake Terminate bytes inside a startup message or a query for Terminate', () => {
    const detector = new PostgresTerminateDetector();
    expect(detector.push(Buffer.concat([startup, query, query]))).toBe(false);
    expect(detector.terminated).toBe(false);
  });

  test('follows an SSL request with the real startup message', () => {
    const detector = new PostgresTerminateDetector();
    expect(detector.push(Buffer.concat([sslRequest, startup]))).toBe(false);
    expect(detector.push(terminate)).toBe(true);
  });
});
