import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlatformPath, PlatformRunner } from '@chatgate/conversation';

/**
 * A stand-in for the gateway→worker relay that is not wired yet: an HTTP front that hands each
 * `/v1/...` request to a worker's PlatformRunner with a sink writing the HTTP answer, so tests can
 * use the official `openai` client against the platform path. It adds nothing of its own.
 */
export async function startPlatformFront(runner: PlatformRunner, who: { tenantId: string; allowedAccountIds?: string[] }) {
  const requestIds: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const path = (req.url ?? '/').split('?')[0].replace(/^\/v1/, '') as PlatformPath;
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : undefined;
      const requestId = randomUUID();
      requestIds.push(requestId);
      await runner.run(
        { requestId, path, body, tenantId: who.tenantId, allowedAccountIds: who.allowedAccountIds, credentialId: 'platform-front', userId: null, userName: null },
        {
          head: (status, headers) => res.writeHead(status, headers),
          data: (bytes) => res.write(bytes),
          end: () => res.end(),
          error: (failure) => {
            if (res.headersSent) return res.destroy();
            const headers: Record<string, string> = { 'content-type': 'application/json' };
            if (failure.retryAfterSec !== undefined) headers['retry-after'] = String(failure.retryAfterSec);
            res.writeHead(failure.status, headers).end(JSON.stringify({ error: failure.error }));
          },
        },
      );
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requestIds,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
