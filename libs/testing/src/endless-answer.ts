// A local upstream whose one answer never seems to end, for checking that a client stops reading at its cap.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const CHUNK = Buffer.alloc(64 * 1024, 0x20);

export interface EndlessAnswer {
  /** `http://127.0.0.1:<port>`: every path answers the same. */
  readonly url: string;
  /** How many 64 KiB chunks the answer offers (64 MiB by default). */
  readonly offered: number;
  /** Chunks the server got to write before the client hung up (what socket buffers took counts too). */
  written(): number;
  /** Resolves once the answer's connection closed, the client having read to its end or hung up. */
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Answers 200 `application/json`: `prefix`, then `offered` chunks of 64 KiB of spaces, then `suffix`,
 * each written only once the socket took the last (so `written()` tells how far the client read).
 */
export async function startEndlessAnswer(prefix: string, suffix: string, offered = 1024): Promise<EndlessAnswer> {
  let written = 0;
  let closedNow!: () => void;
  const closed = new Promise<void>((resolve) => (closedNow = resolve));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(prefix);
    const more = () => {
      while (written < offered && !res.destroyed) {
        written++;
        if (!res.write(CHUNK)) return void res.once('drain', more);
      }
      res.end(suffix);
    };
    res.once('close', closedNow);
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    offered,
    written: () => written,
    closed,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
