import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { authEnv, conversationEnv, gatewayEnv, parseConfig, redisEnv, usageEnv, voiceEnv } from '@chatgate/config';
import { RefreshQueue, startAuth } from '@chatgate/auth';
import { startConversation } from '@chatgate/conversation';
import { ADMIN_FAILURES_PREFIX, startGateway } from '@chatgate/gateway';
import { Redis } from 'ioredis';
import { startUsage } from '@chatgate/usage';
import { startVoice } from '@chatgate/voice';
import { startSimulator, type Simulator, type SimulatorOptions } from '@chatgate/chatgpt-sim';
import type { ServiceName } from '@chatgate/contracts';
import { testEnv, waitFor } from '@chatgate/testing';
import type { RunningService } from '@chatgate/service-kit';
import OpenAI from 'openai';
import { createTestDatabase } from './test-database.js';
import { imageMemoryEnv, imageNodeOptions } from './image-node-options.js';
import { deleteUsageStream, newUsageStreamSuffix } from './usage-stream.js';

type Env = Record<string, string | number | boolean | undefined>;

const CONVERSATION_MAIN = fileURLToPath(new URL('../../services/conversation/dist/main.js', import.meta.url));
/** The line a service logs once it listens (LOG_LEVEL info or lower). */
const READY_LINE = /"url":"(http:\/\/127\.0\.0\.1:\d+)","msg":"chatgate-conversation ready"/;

export interface StackOptions {
  /** The simulator's options (its signing key, to mint tokens of a test's own making). */
  sim?: SimulatorOptions;
  /** The stack's usage stream suffix, when a test must know it first (a NATS server's permissions name the stream). */
  usageStreamSuffix?: string;
  /** Connection settings of the test's own NATS server, for deleting the stack's usage stream on close. */
  natsAdmin?: { NATS_URL: string; NATS_USER: string; NATS_PASSWORD: string; NATS_TLS_CA?: string };
  /** Auth's environment; a function gets the simulator first (a bootstrap file naming accounts it issued). */
  auth?: Env | ((sim: Simulator) => Env);
  gateway?: Env;
  conversation?: Env | ((sim: Simulator) => Env);
  /** In-process conversation workers; 0 when a test runs its own worker process. Default: `replicas`. */
  workers?: number;
  /** The usage service's environment (with allServices), e.g. PRICE_TABLE. */
  usage?: Env;
  /** Start voice and usage too (only the health test needs them). */
  allServices?: boolean;
  /** The voice service's environment (with allServices); it speaks to the simulator and the stack's usage stream. */
  voice?: Env;
  /**
   * Replicas of every service, each set started at the same moment as a rollout would (they share the stack's
   * database, Redis and NATS, and race on its migrations): gateways, auths, conversation workers and, with
   * allServices, voice and usage. Default 1.
   */
  replicas?: number;
  /** Environment for one replica on top of the service's own, e.g. an AUTH_KEY per replica that the simulator counts. */
  replicaEnv?: (service: ServiceName, replica: number) => Env;
  /** Run the conversation workers as child processes of the built main.js (`workerProcesses`), so a test can SIGKILL one. */
  workersAsProcesses?: boolean;
  /** A NATS server of the test's own (`startNatsServer`), for every service; default: NATS_URL. */
  natsUrl?: string;
  /** Environment for every service, under each service's own (e.g. NATS_RECONNECT_WAIT_MS). */
  env?: Env;
}

/** A conversation worker running as a process of its own. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Where it serves its health routes. */
  url: string;
  /** What it printed so far (JSON log lines). */
  output(): string;
  /** Ends it without a chance to clean up, as the OOM killer or a lost node would. */
  kill(): void;
}

export interface Stack {
  sim: Simulator;
  /** The first gateway's URL. */
  gatewayUrl: string;
  /** In-process conversation workers. */
  workers: RunningService[];
  /** With workersAsProcesses: the worker processes. */
  workerProcesses: WorkerProcess[];
  /** The first of `auths`. */
  auth: RunningService;
  auths: RunningService[];
  /** The first of `gateways`. */
  gateway: RunningService;
  gateways: RunningService[];
  /** With allServices: the running voice and usage replicas (the first is the one stopVoice/stopUsage stop). */
  voices(): RunningService[];
  usages(): RunningService[];
  /** The stack's own usage stream, subject and consumer (USAGE_STREAM_SUFFIX), deleted on close. */
  usageStreamSuffix: string;
  /** With allServices: stop and start the usage service (events wait in the stream meanwhile). */
  stopUsage(): Promise<void>;
  startUsage(): Promise<RunningService>;
  usage(): RunningService | undefined;
  /** With allServices: stop the voice service and start it again with other settings (VOICE_PROXY_URL, say). */
  restartVoice(env?: Env): Promise<void>;
  /** With allServices: stop the voice service (restartVoice starts it again). */
  stopVoice(): Promise<void>;
  /** The stack's own database (dropped on close), so runs never see each other's rows. */
  databaseUrl: string;
  /** The official client, pointed at the (first) gateway with the given credential. */
  client(apiKey: string, gatewayUrl?: string): OpenAI;
  close(): Promise<void>;
}

/** Starts `count` of something at once; all of them are closed if one fails. */
async function startAll<T>(count: number, start: (replica: number) => Promise<T>, closeOf: (started: T) => Promise<void>): Promise<T[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, (_, replica) => start(replica)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (failed) {
    await Promise.all(started.map((s) => closeOf(s).catch(() => undefined)));
    throw failed.reason;
  }
  return started;
}

async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  // With the image's Node.js options: its memory is what a replica's would be (backpressure measures it).
  const child = spawn(process.execPath, [...imageNodeOptions(), CONVERSATION_MAIN], { env: { ...imageMemoryEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const kill = () => void child.kill('SIGKILL');
  let ready: RegExpExecArray | null = null;
  try {
    await waitFor(() => (ready = READY_LINE.exec(output)) !== null || child.exitCode !== null, 'a conversation worker process to start', 60_000);
  } catch (err) {
    kill();
    throw err;
  }
  if (!ready) throw new Error(`the conversation worker process exited (${child.exitCode}): ${output}`);
  return { child, url: (ready as RegExpExecArray)[1], output: () => output, kill };
}

async function stopWorkerProcess(worker: WorkerProcess): Promise<void> {
  const { child } = worker;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(force);
}

/**
 * The gateways' failed admin-login counts live in Redis for ten minutes, by client address: a stack
 * starts and ends without any, so one test file's wrong guesses from 127.0.0.1 never hold up another's.
 */
export async function forgetAdminFailures(): Promise<void> {
  const redis = new Redis(parseConfig(redisEnv, testEnv()).REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${ADMIN_FAILURES_PREFIX}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The whole request path in this process: simulator, auth, conversation worker(s), gateway. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator(opts.sim);
  const closers: Array<() => Promise<void>> = [];
  await forgetAdminFailures();
  closers.push(forgetAdminFailures);
  const replicas = opts.replicas ?? 1;
  // Every service's environment ends with these: the stack's NATS server, then per-replica settings.
  const replicaEnv = (service: ServiceName, replica: number) => ({ ...(opts.natsUrl ? { NATS_URL: opts.natsUrl } : {}), ...opts.replicaEnv?.(service, replica) });
  const common = opts.env ?? {};
  const workers: RunningService[] = [];
  const workerProcesses: WorkerProcess[] = [];
  const database = await createTestDatabase();
  closers.push(database.drop);
  const databaseUrl = database.url;
  const usageStreamSuffix = opts.usageStreamSuffix ?? newUsageStreamSuffix();
  closers.push(() => deleteUsageStream(usageStreamSuffix, opts.natsAdmin ?? opts.natsUrl));

  // Voice and usage: the first replica can be stopped and started again by a test; the others run throughout.
  const usages: RunningService[] = [];
  const voices: RunningService[] = [];
  const usageConfig = (replica: number) => parseConfig(usageEnv, testEnv({ ...common, DATABASE_URL: databaseUrl, USAGE_STREAM_SUFFIX: usageStreamSuffix, ...opts.usage, ...replicaEnv('usage', replica) }));
  const voiceConfig = (replica: number, env?: Env) => parseConfig(voiceEnv, testEnv({ ...common, CHATGPT_BASE_URL: sim.url, USAGE_STREAM_SUFFIX: usageStreamSuffix, ...env, ...replicaEnv('voice', replica) }));
  const closeAll = async (running: RunningService[]) => {
    const all = running.splice(0);
    await Promise.all(all.map((r) => r.close()));
  };
  const startUsageService = async () => {
    const running = await startUsage(usageConfig(0));
    usages.unshift(running);
    return running;
  };
  const stopUsage = async () => {
    const [first] = usages.splice(0, 1);
    await first?.close();
  };
  let restartVoice: (env?: Env) => Promise<void> = async () => {
    throw new Error('the voice service runs only with allServices');
  };
  const stopVoice = async () => {
    const [first] = voices.splice(0, 1);
    await first?.close();
  };
  // The simulator serves the platform API on 127.0.0.1, which API keys may not reach unless the operator
  // allow-lists it: the test stack does, explicitly, as an operator with a local model server would.
  const platformAllowHosts = new URL(sim.url).host;
  try {
    const authOverrides = typeof opts.auth === 'function' ? opts.auth(sim) : opts.auth;
    const auths = await startAll(
      replicas,
      (replica) => startAuth(parseConfig(authEnv, testEnv({ ...common, DATABASE_URL: databaseUrl, CHATGPT_BASE_URL: sim.url, CHATGPT_AUTH_URL: sim.url, CHATGPT_AUTH0_URL: sim.url, CODEX_AUTH_URL: sim.url, CHATGPT_JWKS_URL: sim.jwksUrl, PLATFORM_ALLOW_HOSTS: platformAllowHosts, ...authOverrides, ...replicaEnv('auth', replica) }))),
      (auth) => auth.close(),
    );
    closers.push(() => closeAll(auths));
    // The refresh queue's Redis keys are named after this stack's database, which is dropped: drop them first.
    closers.push(() => auths[0].app.get(RefreshQueue).queue.obliterate({ force: true }));

    const conversationOverrides = typeof opts.conversation === 'function' ? opts.conversation(sim) : opts.conversation;
    const workerEnv = (replica: number) => ({ ...common, DATABASE_URL: databaseUrl, CHATGPT_BASE_URL: sim.url, CODEX_BASE_URL: sim.codex.baseUrl, USAGE_STREAM_SUFFIX: usageStreamSuffix, PLATFORM_ALLOW_HOSTS: platformAllowHosts, ...conversationOverrides, ...replicaEnv('conversation', replica) });
    const workerCount = opts.workers ?? replicas;
    if (opts.workersAsProcesses) {
      workerProcesses.push(...(await startAll(workerCount, (replica) => startWorkerProcess(testEnv({ LOG_LEVEL: 'info', ...workerEnv(replica) })), stopWorkerProcess)));
      closers.push(() => Promise.all(workerProcesses.map(stopWorkerProcess)).then(() => undefined));
    } else {
      workers.push(...(await startAll(workerCount, (replica) => startConversation(parseConfig(conversationEnv, testEnv(workerEnv(replica)))), (w) => w.close())));
      closers.push(() => closeAll(workers));
    }

    if (opts.allServices) {
      voices.push(...(await startAll(replicas, (replica) => startVoice(voiceConfig(replica, opts.voice)), (v) => v.close())));
      closers.push(() => closeAll(voices));
      restartVoice = async (env?: Env) => {
        await stopVoice();
        voices.unshift(await startVoice(voiceConfig(0, env ?? opts.voice)));
      };
      usages.push(...(await startAll(replicas, (replica) => startUsage(usageConfig(replica)), (u) => u.close())));
      closers.push(() => closeAll(usages));
    }

    const gateways = await startAll(
      replicas,
      (replica) => startGateway(parseConfig(gatewayEnv, testEnv({ ...common, STREAM_IDLE_TIMEOUT_MS: 2000, USAGE_STREAM_SUFFIX: usageStreamSuffix, ...opts.gateway, ...replicaEnv('gateway', replica) }))),
      (g) => g.close(),
    );
    closers.push(() => closeAll(gateways));
    const [gateway] = gateways;
    return {
      sim,
      gatewayUrl: gateway.url,
      workers,
      workerProcesses,
      auth: auths[0],
      auths,
      gateway,
      gateways,
      voices: () => [...voices],
      usages: () => [...usages],
      usageStreamSuffix,
      stopUsage,
      startUsage: startUsageService,
      usage: () => usages[0],
      restartVoice: (env) => restartVoice(env),
      stopVoice,
      databaseUrl,
      client: (apiKey, gatewayUrl = gateway.url) => new OpenAI({ apiKey, baseURL: `${gatewayUrl}/v1`, maxRetries: 0, timeout: 20_000 }),
      close: async () => {
        for (const close of closers.reverse()) await close();
        await sim.close();
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await sim.close();
    throw err;
  }
}
