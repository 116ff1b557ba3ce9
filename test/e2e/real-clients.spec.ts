import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { CLIENTS_DIR, CODEX_CLI, ensureClients, resultOf, runClient } from '../support/real-clients.js';

/**
 * Issue 14's "done when", with the clients themselves: the OpenAI Agents SDK's default runner and the AI
 * SDK's default provider run a function-tool loop over the Responses API, and Codex CLI (`codex exec`, a
 * custom provider with `wire_api = "responses"`) completes a small task in a git repository, each against
 * the gateway and the simulator. The clients run under their own Node (test/support/real-clients.ts).
 */
const ADMIN_PASSWORD = 'real-clients-admin-pw-3f9a';
/** gpt-5* on the tenant's Codex accounts, gpt-4o-mini* on its API keys. */
const ROUTES = [
  { model: 'gpt-5*', upstream: 'codex' },
  { model: 'gpt-4o-mini*', upstream: 'platform' },
];
const UPSTREAMS = [
  { kind: 'Codex accounts', model: 'gpt-5.4' },
  { kind: 'API keys', model: 'gpt-4o-mini' },
];
/** The simulator's model calls the first tool with every string argument set to the prompt, then reports what it returned. */
const PROMPT = 'Paris';
const TOOL_ANSWER = 'Sunny and 21 degrees in Paris';
/** test/clients' @openai/codex. */
const CODEX_VERSION = (JSON.parse(readFileSync(join(CLIENTS_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['@openai/codex'];

describe('real clients against the gateway (Agents SDK, AI SDK, Codex CLI)', () => {
  let stack: Stack;
  let key: string;
  let baseUrl: string;

  const admin = async (method: string, path: string, body?: unknown): Promise<LooseJson> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as LooseJson;
  };
  const script = (name: string, env: Record<string, string>) =>
    runClient([join(CLIENTS_DIR, 'scripts', name)], { env: { CHATGATE_BASE_URL: baseUrl, CHATGATE_KEY: key, PROMPT, ...env }, timeoutMs: 60_000 });

  beforeAll(async () => {
    ensureClients();
    stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD } });
    baseUrl = `${stack.gatewayUrl}/v1`;
    await admin('POST', '/admin/v1/routes', { routes: ROUTES });
    await admin('POST', '/admin/v1/accounts/import', { text: `${stack.sim.issueApiKey()} ${stack.sim.url}/v1` });
    await admin('POST', '/admin/v1/accounts/import', { text: JSON.stringify(stack.sim.codex.login({ email: 'codex@example.com', plan: 'plus' }).authFile) });
    await admin('POST', '/admin/v1/users', { name: 'dev' });
    key = (await admin('POST', '/admin/v1/keys', { user: 'dev' })).key as string;
  }, 360_000);
  afterAll(() => stack?.close());

  describe.each(UPSTREAMS)('on $kind ($model)', ({ model }) => {
    it.each([
      { mode: 'non-streamed', stream: '0' },
      { mode: 'streamed', stream: '1' },
    ])('the Agents SDK default runner calls a function tool and answers with its result ($mode)', async ({ stream }) => {
      const run = await script('agents-tool-loop.mjs', { MODEL: model, STREAM: stream });
      const result = resultOf<{ finalOutput: string; calls: string[]; responseIds: string[] }>(run);
      expect(result.calls).toEqual([PROMPT]);
      expect(result.finalOutput).toContain(TOOL_ANSWER);
      expect(result.responseIds).toHaveLength(2);
      expect(run.code).toBe(0);
    });

    it.each([
      { mode: 'generateText', stream: '0' },
      { mode: 'streamText', stream: '1' },
    ])("the AI SDK's default provider runs a tool loop ($mode)", async ({ stream }) => {
      const run = await script('ai-sdk-tool-loop.mjs', { MODEL: model, STREAM: stream });
      const result = resultOf<{ text: string; steps: number; finishReason: string; calls: string[] }>(run);
      expect(result.calls).toEqual([PROMPT]);
      expect(result.steps).toBe(2);
      expect(result.text).toContain(TOOL_ANSWER);
      expect(result.finishReason).toBe('stop');
      expect(run.code).toBe(0);
    });
  });

  describe('Codex CLI', () => {
    let home: string;
    let repo: string;

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'codex-home-'));
      // The models' Codex metadata (base instructions, tool types) as the gateway gives it to Codex's version,
      // saved as the catalog file Codex reads (README, "Codex CLI").
      const listing = await fetch(`${baseUrl}/models?client_version=${CODEX_VERSION}`, { headers: { authorization: `Bearer ${key}` } });
      const catalog = (await listing.json()) as { models: unknown[] };
      expect(catalog.models.length).toBeGreaterThan(0);
      writeFileSync(join(home, 'models.json'), JSON.stringify({ models: catalog.models }));
      repo = mkdtempSync(join(tmpdir(), 'codex-repo-'));
      // A custom provider pointing at the gateway (its id may not be `openai`), speaking the Responses API.
      writeFileSync(
        join(home, 'config.toml'),
        [
          'model = "gpt-5.4"',
          `model_catalog_json = "${join(home, 'models.json')}"`,
          'model_provider = "chatgate"',
          'check_for_update_on_startup = false',
          '',
          '[model_providers.chatgate]',
          'name = "chatgate"',
          `base_url = "${baseUrl}"`,
          'env_key = "CHATGATE_KEY"',
          'wire_api = "responses"',
          'request_max_retries = 0',
          'stream_max_retries = 0',
          '',
        ].join('\n'),
      );
      const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
      git('init', '-q');
      git('config', 'user.email', 'dev@example.com');
      git('config', 'user.name', 'dev');
      writeFileSync(join(repo, 'README.md'), '# scratch\n');
      git('add', '.');
      git('commit', '-qm', 'start');
    });
    afterAll(() => {
      for (const dir of [home, repo]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('completes a small task in a git repository: the model patches a file, Codex applies it, and the turn ends', async () => {
      // The task is the patch itself: the simulator's model calls the tool named by the directive with the
      // prompt as its input (a custom tool's input is the stripped prompt), as a model would write it.
      const patch = ['*** Begin Patch', '*** Add File: hello.txt', '+hello from codex', '*** End Patch'].join('\n');
      const before = stack.sim.stats().codex.responsesRequests;
      const run = await runClient([CODEX_CLI, 'exec', '--dangerously-bypass-approvals-and-sandbox', '--color', 'never', `${patch}\n[[sim call=apply_patch]]`], {
        cwd: repo,
        env: { CODEX_HOME: home, CHATGATE_KEY: key, RUST_LOG: 'warn', NO_COLOR: '1' },
        timeoutMs: 120_000,
      });
      const why = `exit ${run.code}\nstdout: ${run.stdout.slice(-3000)}\nstderr: ${run.stderr.slice(-6000)}`;
      if (!existsSync(join(repo, 'hello.txt')) || run.code !== 0) throw new Error(`Codex CLI did not complete the task: ${why}`);
      expect(readFileSync(join(repo, 'hello.txt'), 'utf8')).toBe('hello from codex\n');
      // Two turns upstream: the patch, then the answer to its result.
      expect(stack.sim.stats().codex.responsesRequests - before).toBe(2);
      expect(run.stdout).toContain('The tool apply_patch returned');
    });
  });
});
