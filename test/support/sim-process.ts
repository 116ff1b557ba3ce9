import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimStats } from '@chatgate/chatgpt-sim';
import { testEnv, waitFor } from '@chatgate/testing';

const SIM_MAIN = fileURLToPath(new URL('../../tools/chatgpt-sim/dist/main.js', import.meta.url));

/**
 * The simulator as a process of its own (its CLI), for tests whose upstream does heavy work (long
 * streams) that must neither block the services under test nor count in their memory. Driven over
 * its control endpoints.
 */
export interface SimProcess {
  url: string;
  jwksUrl: string;
  /** The account the CLI prints at start (a fresh access token of its own). */
  accessToken: string;
  stats(): Promise<SimStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startSimProcess(): Promise<SimProcess> {
  const child: ChildProcess = spawn(process.execPath, [SIM_MAIN], { env: testEnv({ PORT: 0 }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const lines = () => output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; url?: string; accessToken?: string });
  const started = await waitFor(() => lines().some((l) => l.msg === 'chatgpt-sim demo account') || child.exitCode !== null, 'the simulator process to start', 20_000, 50);
  const demo = lines().find((l) => l.msg === 'chatgpt-sim demo account');
  if (!started || !demo) throw new Error(`the simulator process exited: ${output}`);
  const url = lines().find((l) => l.msg === 'chatgpt-sim listening')!.url!;
  return {
    url,
    /** Where this simulator publishes the keys its access tokens are signed with (auth's CHATGPT_JWKS_URL). */
    jwksUrl: `${url}/.well-known/jwks.json`,
    accessToken: demo.accessToken!,
    stats: async () => (await (await fetch(`${url}/_sim/stats`)).json()) as SimStats,
    reset: async () => void (await fetch(`${url}/_sim/reset`, { method: 'POST' })),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
