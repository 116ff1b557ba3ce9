import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';

/**
 * The two ways to the same reply: straight to the simulator (its ChatGPT conversation endpoint, or
 * its platform API with an API key: what a client of the upstream itself would do), and through
 * chatgate's /v1/chat/completions (or /v1/responses).
 * Both read the whole body; `firstMarker` lets a streamed request note when the first answer
 * word arrived.
 */
export interface Path {
  name: 'direct' | 'gateway';
  request(prompt: string, stream: boolean, firstMarker?: string): Promise<{ total: number; first: number | null }>;
  close(): Promise<void>;
}

async function timed(pool: Pool, path: string, headers: Record<string, string>, body: string, firstMarker?: string) {
  const started = performance.now();
  const res = await pool.request({ method: 'POST', path, headers, body });
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode} on ${path}: ${(await res.body.text()).slice(0, 300)}`);
  let first: number | null = null;
  let seen = '';
  for await (const chunk of res.body) {
    if (firstMarker && first === null) {
      seen += chunk.toString();
      if (seen.includes(firstMarker)) first = performance.now() - started;
    }
  }
  return { total: performance.now() - started, first };
}

export function directPath(simUrl: string, accessToken: string, connections: number): Path {
  const pool = new Pool(simUrl, { connections, pipelining: 1 });
  return {
    name: 'direct',
    request: (prompt, _stream, firstMarker) =>
      timed(
        pool,
        '/backend-api/conversation',
        { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'text/event-stream' },
        JSON.stringify({
          action: 'next',
          messages: [{ id: randomUUID(), author: { role: 'user' }, content: { content_type: 'text', parts: [prompt] }, metadata: {} }],
          parent_message_id: 'client-created-root',
          model: 'gpt-4o',
          history_and_training_disabled: false,
          supported_encodings: ['v1'],
        }),
        firstMarker ? `"${firstMarker}` : undefined,
      ),
    close: () => pool.close(),
  };
}

/** The platform's chat completions with an API key, as the simulator serves them under `/v1`. */
export function platformDirectPath(simUrl: string, apiKey: string, model: string, connections: number): Path {
  return chatCompletionsPath('direct', simUrl, '/v1/chat/completions', apiKey, model, connections);
}

export function gatewayPath(gatewayUrl: string, credential: string, connections: number, model = 'gpt-4o'): Path {
  return chatCompletionsPath('gateway', gatewayUrl, '/v1/chat/completions', credential, model, connections);
}

/**
 * The Responses API (`POST /v1/responses`, stored as by default unless `store` is false): straight to
 * the simulator's platform API with the key, or through chatgate with the caller's credential.
 */
export function responsesPath(name: Path['name'], baseUrl: string, credential: string, model: string, connections: number, store = true): Path {
  return openAiPath(name, baseUrl, '/v1/responses', credential, connections, (prompt, stream) => ({ model, stream, store, input: prompt }), (marker) => `"delta":"${marker}`);
}

function chatCompletionsPath(name: Path['name'], baseUrl: string, path: string, credential: string, model: string, connections: number): Path {
  return openAiPath(name, baseUrl, path, credential, connections, (prompt, stream) => ({ model, stream, messages: [{ role: 'user', content: prompt }] }), (marker) => `"content":"${marker}`);
}

/** An OpenAI-style JSON endpoint: its body for a prompt, and how its first answer word shows in the stream. */
function openAiPath(
  name: Path['name'],
  baseUrl: string,
  path: string,
  credential: string,
  connections: number,
  body: (prompt: string, stream: boolean) => unknown,
  firstWordAs: (marker: string) => string,
): Path {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  return {
    name,
    request: (prompt, stream, firstMarker) =>
      timed(pool, path, { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, JSON.stringify(body(prompt, stream)), firstMarker ? firstWordAs(firstMarker) : undefined),
    close: () => pool.close(),
  };
}
