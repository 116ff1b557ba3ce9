import { connect } from 'node:net';

export interface RawAnswer {
  /** The status the server answered with, or null when it closed without an answer. */
  status: number | null;
  /** The whole answer as text (head and body). */
  text: string;
  /** Body bytes the client had written when the answer came or the connection closed. */
  bodyBytesSent: number;
  /** Whether the server closed the connection (rather than the client, after a complete answer). */
  closedByServer: boolean;
  /** Milliseconds from the connection to the answer or the close (for notes: never asserted). */
  elapsedMs: number;
}

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The body as a whole; written in `chunkBytes` pieces, `everyMs` apart (a slow client), until the answer comes. */
  body?: Buffer;
  chunkBytes?: number;
  everyMs?: number;
  /** Give up (the test's own deadline) after this long. */
  deadlineMs?: number;
}

/**
 * One HTTP/1.1 request over a plain socket, so a test controls what a client sends and when: a body that
 * arrives slowly, or never completes. Resolves with the first answer (or the close), whatever was sent by then.
 */
export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    let sent = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const text = received.toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, text, bodyBytesSent: sent, closedByServer, elapsedMs: Date.now() - started });
      socket.destroy();
    };
    const deadline = setTimeout(() => finish(false), req.deadlineMs ?? 60_000);
    socket.on('data', (d) => {
      received = Buffer.concat([received, d]);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
      if (length && received.length >= end + 4 + Number(length[1])) {
        clearTimeout(deadline);
        finish(false);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(deadline);
      finish(true);
    });
    socket.on('connect', () => {
      const head = [`${req.method} ${req.path} HTTP/1.1`, `host: ${url.host}`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
      socket.write(head);
      const body = req.body;
      if (!body) return;
      const chunk = req.chunkBytes ?? body.length;
      const writeNext = () => {
        if (settled || sent >= body.length || socket.destroyed) return;
        const piece = body.subarray(sent, sent + chunk);
        sent += piece.length;
        const more = socket.write(piece);
        if (req.everyMs) timer = setTimeout(writeNext, req.everyMs);
        else if (more) setImmediate(writeNext);
        else socket.once('drain', writeNext);
      };
      writeNext();
    });
    socket.on('timeout', () => reject(new Error('socket timeout')));
  });
}
