import { authEnv, conversationEnv, gatewayEnv, parseConfig, usageEnv, voiceEnv } from '@chatgate/config';
import { RefreshQueue, startAuth } from '@chatgate/auth';
import { startConversation } from '@chatgate/conversation';
import { startGateway } from '@chatgate/gateway';
import { startUsage } from '@chatgate/usage';
import { startVoice } from '@chatgate/voice';
import { startSimulator, type Simulator } from '@chatgate/chatgpt-sim';
import { testEnv } from '@chatgate/testing';
import type { RunningService } from '@chatgate/service-kit';
import OpenAI from 'openai';
import { createTestDatabase } from './test-database.js';
import { deleteUsageStream, newUsageStreamSuffix } from './usage-stream.js';

type Env = Record<string, string | number | boolean | undefined>;

export interface StackOptions {
  /** Auth's environment; a function gets the simulator first (a bootstrap file naming accounts it issued). */
  auth?: Env | ((sim: Simulator) => Env);
  gateway?: Env;
  conversation?: Env | ((sim: Simulator) => Env);
  /** In-process conversation workers; 0 when a test runs its own worker process. */
  workers?: number;
  /** The usage service's environment (with allServices), e.g. PRICE_TABLE. */
  usage?: Env;
  /** Start voice and usage too (only the health test needs them). */
  allServices?: boolean;
  /** The voice service's environment (with allServices); it speaks to the simulator and the stack's usage stream. */
  voice?: Env;
}

export interface Stack {
  sim: Simulator;
  gatewayUrl: string;
  workers: RunningService[];
  auth: RunningService;
  gateway: RunningService;
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
  /** The official client, pointed at the gateway with the given credential. */
  client(apiKey: string): OpenAI;
  close(): Promise<void>;
}

/** The whole request path in this process: simulator, auth, conversation worker(s), gateway. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator();
  const closers: Array<() => Promise<void>> = [];
  const workers: RunningService[] = [];
  const database = await createTestDatabase();
  closers.push(database.drop);
  const databaseUrl = database.url;
  const usageStreamSuffix = newUsageStreamSuffix();
  closers.push(() => deleteUsageStream(usageStreamSuffix));
  let usage: RunningService | undefined;
  const startUsageService = async () => (usage = await startUsage(parseConfig(usageEnv, testEnv({ DATABASE_URL: databaseUrl, USAGE_STREAM_SUFFIX: usageStreamSuffix, ...opts.usage }))));
  let restartVoice: (env?: Env) => Promise<void> = async () => {
    throw new Error('the voice service runs only with allServices');
  };
  let stopVoice: () => Promise<void> = async () => undefined;
  const stopUsage = async () => {
    const running = usage;
    usage = undefined;
    await running?.close();
  };
  try {
    const authOverrides = typeof opts.auth === 'function' ? opts.auth(sim) : opts.auth;
    const auth = await startAuth(parseConfig(authEnv, testEnv({ DATABASE_URL: databaseUrl, CHATGPT_BASE_URL: sim.url, CHATGPT_AUTH_URL: sim.url, CHATGPT_AUTH0_URL: sim.url, ...authOverrides })));
    closers.push(auth.close);
    // The refresh queue's Redis keys are named after this stack's database, which is dropped: drop them first.
    closers.push(() => auth.app.get(RefreshQueue).queue.obliterate({ force: true }));
    for (let i = 0; i < (opts.workers ?? 1); i++) {
      const worker = await startConversation(parseConfig(conversationEnv, testEnv({ DATABASE_URL: databaseUrl, CHATGPT_BASE_URL: sim.url, USAGE_STREAM_SUFFIX: usageStreamSuffix, ...(typeof opts.conversation === 'function' ? opts.conversation(sim) : opts.conversation) })));
      closers.push(worker.close);
      workers.push(worker);
    }
    let voice: RunningService | undefined;
    const startVoiceService = async (env?: Env) => {
      voice = await startVoice(parseConfig(voiceEnv, testEnv({ CHATGPT_BASE_URL: sim.url, USAGE_STREAM_SUFFIX: usageStreamSuffix, ...env })));
    };
    stopVoice = async () => {
      const running = voice;
      voice = undefined;
      await running?.close();
    };
    restartVoice = async (env?: Env) => {
      await stopVoice();
      await startVoiceService(env ?? opts.voice);
    };
    if (opts.allServices) {
      await startVoiceService(opts.voice);
      closers.push(async () => voice?.close());
      await startUsageService();
      closers.push(stopUsage);
    }
    const gateway = await startGateway(parseConfig(gatewayEnv, testEnv({ STREAM_IDLE_TIMEOUT_MS: 2000, ...opts.gateway })));
    closers.push(gateway.close);
    return {
      sim,
      gatewayUrl: gateway.url,
      workers,
      auth,
      gateway,
      usageStreamSuffix,
      stopUsage,
      startUsage: startUsageService,
      usage: () => usage,
      restartVoice: (env) => restartVoice(env),
      stopVoice: () => stopVoice(),
      databaseUrl,
      client: (apiKey) => new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 20_000 }),
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
