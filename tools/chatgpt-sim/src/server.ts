// startSimulator(): one node:http server, no framework, keep-alive on, so the simulator is
// cheap enough to be the "direct path" of the benchmarks.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { AccountStore, toSimAccount } from './accounts.js';
import { JwtSigner } from './jwt.js';
import { BehaviourStore } from './behaviours.js';
import { FileStore } from './files.js';
import { ConversationStore } from './conversations.js';
import type { SimContext } from './context.js';
import { handleRequest, JWKS_PATH } from './router.js';
import { StatsCollector } from './stats.js';
import { PlatformKeys } from './platform/keys.js';
import { ResponseStore } from './platform/response-store.js';
import { CodexCredentials, CODEX_CLIENT_ID } from './codex/credentials.js';
import { CodexAccounts } from './codex/accounts.js';
import { RequestRecords } from './codex/records.js';
import { applyQuirks, DEFAULT_QUIRKS } from './codex/quirks.js';
import { codexAccessToken, codexAccountView, codexLogin, findAccount, updateCodexAccount } from './codex/admin.js';
import { CODEX_BASE_PATH } from './codex/routes.js';
import { Sealer } from './responses/seal.js';
import type { Simulator, SimulatorOptions } from './types.js';

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const secret = opts.jwtSecret ?? randomBytes(32).toString('hex');
  const signer = new JwtSigner(opts.jwtPrivateKey);
  const accounts = new AccountStore(secret, signer);
  const ctx: SimContext = {
    accounts,
    signer,
    behaviours: new BehaviourStore(),
    stats: new StatsCollector(),
    files: new FileStore(opts.documentIndexDelayMs ?? 300),
    streams: new Set(),
    platform: { keys: new PlatformKeys(), responses: new ResponseStore() },
    codex: { credentials: new CodexCredentials(signer, accounts), accounts: new CodexAccounts(), quirks: { ...DEFAULT_QUIRKS }, records: new RequestRecords() },
    sealer: new Sealer(secret),
    conversations: new ConversationStore(),
    speech: { packetDelayMs: 0, cutAfterPackets: null },
    issuer: { jwksAvailable: true },
  };
  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => handleRequest(ctx, req, res));
  // Longer than typical client pools keep idle sockets, so benchmarks do not race a server-side close.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Stalled and slow streams are legitimate here; only the request head has a deadline.
  server.requestTimeout = 0;

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await listen(server, opts.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  let closing: Promise<void> | undefined;
  const url = `http://${urlHost}:${port}`;
  return {
    url,
    jwksUrl: `${url}${JWKS_PATH}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const run of [...ctx.streams]) run.dispose();
        ctx.platform.responses.dispose();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
    issueAccount: (options) => toSimAccount(ctx.accounts.issue(options)),
    setBehaviour: (accountIdOrEmail, behaviour) => ctx.behaviours.set(accountIdOrEmail, behaviour),
    stats: () => ctx.stats.snapshot(),
    resetStats: () => ctx.stats.reset(),
    generatedFiles: () => ctx.files.list(),
    issueApiKey: (options) => ctx.platform.keys.issue(options),
    setApiKeyBehaviour: (key, behaviour) => ctx.platform.keys.setBehaviour(key, behaviour),
    setJwksAvailable: (available) => {
      ctx.issuer.jwksAvailable = available;
    },
    setSpeechPacing: (pacing) => {
      if (pacing.packetDelayMs !== undefined) ctx.speech.packetDelayMs = pacing.packetDelayMs;
      if (pacing.cutAfterPackets !== undefined) ctx.speech.cutAfterPackets = pacing.cutAfterPackets;
    },
    storedResponses: (key) => ctx.platform.responses.idsOf(key),
    codex: {
      baseUrl: `${url}${CODEX_BASE_PATH}`,
      clientId: CODEX_CLIENT_ID,
      login: (options) => codexLogin(ctx, options),
      accessToken: (options) => codexAccessToken(ctx, options),
      setAccount: (accountIdOrEmail, update) => updateCodexAccount(ctx, accountIdOrEmail, update),
      account: (accountIdOrEmail) => codexAccountView(ctx, findAccount(ctx, accountIdOrEmail)),
      setQuirks: (patch) => {
        const error = applyQuirks(ctx.codex.quirks, patch as Record<string, unknown>);
        if (error) throw new Error(error);
        return { ...ctx.codex.quirks };
      },
      quirks: () => ({ ...ctx.codex.quirks }),
      requests: () => ctx.codex.records.all(),
      clearRequests: () => ctx.codex.records.clear(),
    },
  };
}
