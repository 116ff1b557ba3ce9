import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the front does to requests of one path before (or instead of) passing them on. */
export interface PathFault {
  /** Answer this status (a JSON error body) instead of passing the request on. */
  status?: number;
  /** Wait this long before passing the request on (or answering the status). */
  delayMs?: number;
  /**
   * Pass the request on, let the upstream answer, and never give the answer to the client (its
   * connection stays open until it gives up): a request that reached the upstream, answer lost.
   */
  swallowAnswer?: boolean;
}

export interface FaultFront {
  /** e.g. `http://127.0.0.1:40123` (no trailing slash): give it to a service as its upstream base. */
  url: string;
  /** Sets (or with null lifts) the fault of a path (exact, without the query). */
  set(path: string, fault: PathFault | null): void;
  /** Requests that reached the front, per path. */
  seen(path: string): number;
  close(): Promise<void>;
}

/**
 * A plain HTTP server in front of the simulator that passes every request on as it came, except
 * on the paths given a fault: a status instead of the upstream's answer, or a delay. It knows
 * nothing of the simulator's protocol; the fault is the upstream failing or being slow.
 */
export async function startFaultFront(target: () => string): Promise<FaultFront> {
  const faults = new Map<string, PathFault>();
  const counts = new Map<string, number>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const fault = faults.get(path);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.status) {
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'injected failure' }));
      return;
    }
    const upstream = new URL(req.url ?? '/', target());
    const forward = httpRequest(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      if (fault?.swallowAnswer) {
        answer.resume();
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set: (path, fault) => (fault ? faults.set(path, fault) : faults.delete(path)),
    seen: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
