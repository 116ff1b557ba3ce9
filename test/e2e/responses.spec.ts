import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type pg from 'pg';
import { replyFor } from '@chatgate/chatgpt-sim';
import { waitFor, type LooseJson } from '@chatgate/testing';
import { IncompleteUploadError, ResponseStore } from '@chatgate/conversation';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { pdfDocument, pngImage } from '../support/test-files.js';

const ADMIN_PASSWORD = 'responses-admin-pw-7c1e';
/** Each kind one family: gpt-4o-mini on API keys, gpt-5* on Codex accounts, everything else on ChatGPT accounts. */
const ROUTES = [
  { model: 'gpt-4o-mini*', upstream: 'platform' },
  { model: 'gpt-5*', upstream: 'codex' },
];
type Kind = 'platform' | 'codex' | 'chatgpt';
const MODEL: Record<Kind, string> = { platform: 'gpt-4o-mini', codex: 'gpt-5.4', chatgpt: 'gpt-4o' };
const TOOLS: OpenAI.Responses.Tool[] = [
  { type: 'function', name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true },
];
const FORMAT: OpenAI.Responses.ResponseTextConfig = {
  format: { type: 'json_schema', name: 'city', strict: true, schema: { type: 'object', properties: { name: { type: 'string' }, people: { type: 'integer' } }, required: ['name', 'people'], additionalProperties: false } },
};

describe('the Responses API on every upstream kind, with the official client', () => {
  let stack: Stack;
  let db: pg.Client;
  let ann: OpenAI;
  let bob: OpenAI;
  let fileHost: Server;
  let hostUrl: string;
  const HOSTED_IMAGE = pngImage(3, 2, 5);
  const HOSTED_PDF = pdfDocument('hosted numbers');

  const admin = async (method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const adminJson = async (method: string, path: string, body?: unknown): Promise<LooseJson> => {
    const res = await admin(method, path, body);
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as LooseJson;
  };
  const userClient = async (name: string) => {
    await adminJson('POST', '/admin/v1/users', { name });
    const key = await adminJson('POST', '/admin/v1/keys', { user: name });
    return stack.client(key.key as string);
  };
  const usageRow = (requestId: string | null) =>
    waitFor(async () => (await db.query('SELECT * FROM usage.usage_events WHERE request_id = $1', [requestId])).rows[0], `the usage row of ${requestId}`, 10_000);
  const codexBodies = () => stack.sim.codex.requests().filter((r) => r.path === '/backend-api/codex/responses' && r.method === 'POST').map((r) => r.body as LooseJson);

  beforeAll(async () => {
    fileHost = createServer((req, res) => {
      if (req.url === '/cat.png') res.writeHead(200, { 'content-type': 'image/png' }).end(HOSTED_IMAGE);
      else if (req.url === '/report.pdf') res.writeHead(200, { 'content-type': 'application/pdf' }).end(HOSTED_PDF);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => fileHost.listen(0, '127.0.0.1', resolve));
    const port = (fileHost.address() as AddressInfo).port;
    hostUrl = `http://127.0.0.1:${port}`;
    stack = await startStack({ allServices: true, gateway: { ADMIN_PASSWORD }, conversation: { UPLOAD_ALLOW_HOSTS: `127.0.0.1:${port}` } });
    ({ db } = await connectStackDatabase(stack));
    expect((await admin('POST', '/admin/v1/routes', { routes: ROUTES })).status).toBe(200);
    const key = stack.sim.issueApiKey();
    await adminJson('POST', '/admin/v1/accounts/import', { text: `${key} ${stack.sim.url}/v1` });
    await adminJson('POST', '/admin/v1/accounts/import', { text: JSON.stringify(stack.sim.codex.login({ email: 'codex@example.com', plan: 'plus' }).authFile) });
    await adminJson('POST', '/admin/v1/accounts/import', { text: stack.sim.issueAccount({ plan: 'plus' }).accessToken });
    ann = await userClient('ann');
    bob = await userClient('bob');
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
    await new Promise((resolve) => fileHost?.close(resolve));
  });

  describe.each<Kind>(['platform', 'codex', 'chatgpt'])('on %s', (kind) => {
    const model = MODEL[kind];

    it('creates a response, not streamed and streamed (events in the SDK order, numbered, completed with usage), and records its usage', async () => {
      const { data: created, response } = await ann.responses.create({ model, input: 'Hello there' }).withResponse();
      expect(created).toMatchObject({ object: 'response', status: 'completed', model });
      expect(created.output_text).toBe(replyFor('Hello there', kind === 'chatgpt' ? undefined : model).text);
      expect(created.usage?.input_tokens).toBeGreaterThan(0);
      const row = await usageRow(response.headers.get('x-request-id'));
      expect(row).toMatchObject({ kind: 'chat', upstream: kind, outcome: 'ok' });
      expect(row.completion_tokens).toBeGreaterThan(0);

      const stream = ann.responses.stream({ model, input: 'Stream this' });
      const types: string[] = [];
      const numbers: number[] = [];
      for await (const event of stream) {
        types.push(event.type);
        numbers.push(event.sequence_number);
      }
      const final = await stream.finalResponse();
      expect(types[0]).toBe('response.created');
      expect(types.at(-1)).toBe('response.completed');
      expect(types).toContain('response.output_text.delta');
      expect(types.indexOf('response.output_item.added')).toBeLessThan(types.indexOf('response.content_part.added'));
      expect(types.indexOf('response.content_part.added')).toBeLessThan(types.indexOf('response.output_text.delta'));
      expect(numbers).toEqual(numbers.map((_, i) => i));
      expect(final.output_text).toBe(replyFor('Stream this', kind === 'chatgpt' ? undefined : model).text);
      expect(final.usage?.output_tokens).toBeGreaterThan(0);
    });

    it('keeps a response for its owner: GET and input_items for them, 404 for another user; deleted, it is gone', async () => {
      const created = await ann.responses.create({ model, input: 'Keep me' });
      const got = await ann.responses.retrieve(created.id);
      expect(got).toMatchObject({ id: created.id, status: 'completed' });
      expect(got.output_text).toBe(created.output_text);
      const items = await ann.responses.inputItems.list(created.id);
      expect(items.data.length).toBeGreaterThan(0);
      expect(JSON.stringify(items.data)).toContain('Keep me');

      await expect(bob.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
      await expect(bob.responses.inputItems.list(created.id)).rejects.toMatchObject({ status: 404 });
      await expect(bob.responses.delete(created.id)).rejects.toMatchObject({ status: 404 });
      await expect(bob.responses.create({ model, input: 'steal', previous_response_id: created.id })).rejects.toMatchObject({ status: 404 });

      await ann.responses.delete(created.id);
      await expect(ann.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    });

    it('keeps a response whose input and answer hold NUL and other control characters, and continues it', async () => {
      const hostile = 'Nul \u0000 here, bell \u0007, escape \u001b[0m, lone \ud800 half';
      const created = await ann.responses.create({ model, input: hostile });
      expect(created.output_text).toBe(replyFor(hostile, kind === 'chatgpt' ? undefined : model).text);
      const items = await ann.responses.inputItems.list(created.id);
      expect(JSON.stringify(items.data)).toContain('Nul \\u0000 here, bell \\u0007');
      expect((await ann.responses.retrieve(created.id)).output_text).toBe(created.output_text);
      const next = await ann.responses.create({ model, input: 'And after it', previous_response_id: created.id });
      expect(next.previous_response_id).toBe(created.id);
    });

    it('continues a conversation with previous_response_id over three turns', async () => {
      stack.sim.codex.clearRequests();
      const first = await ann.responses.create({ model, input: 'Turn one', instructions: 'Be brief.' });
      const second = await ann.responses.create({ model, input: 'Turn two', previous_response_id: first.id });
      const thirdStream = ann.responses.stream({ model, input: 'Turn three', previous_response_id: second.id });
      const third = await thirdStream.finalResponse();
      expect(third.previous_response_id).toBe(second.id);
      expect(third.output_text).toBe(replyFor('Turn three', kind === 'chatgpt' ? undefined : model).text);
      if (kind === 'codex') {
        // The backend is stateless: chatgate sent the whole history, without ids or previous_response_id.
        const bodies = codexBodies();
        const last = bodies.at(-1)!;
        expect(last.previous_response_id).toBeUndefined();
        expect(last.store).toBe(false);
        expect(JSON.stringify(last.input)).toContain('Turn one');
        expect(JSON.stringify(last.input)).toContain(first.output_text);
        expect(JSON.stringify(last.input)).not.toContain('"id"');
      }
      if (kind === 'chatgpt') {
        // The recorded conversation was continued: only the new message went up.
        const sent = stack.sim.stats().lastConversation!;
        expect(sent.conversationId).not.toBeNull();
        expect(sent.messages).toBe(1);
      }
      const items = await ann.responses.inputItems.list(third.id, { order: 'asc' });
      // chatgate's own store lists the whole chain the model saw; an API key lists what its upstream keeps (that turn's input).
      expect(JSON.stringify(items.data)).toContain(kind === 'platform' ? 'Turn three' : 'Turn one');
    });

    if (kind !== 'chatgpt') {
      it('runs a function-tool loop with function_call_output, streamed and not', async () => {
        const called = await ann.responses.create({ model, input: 'Paris', tools: TOOLS });
        const call = called.output.find((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call')!;
        expect(call).toMatchObject({ name: 'get_weather' });
        expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
        const answered = await ann.responses
          .stream({ model, tools: TOOLS, previous_response_id: called.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21 C' }] })
          .finalResponse();
        expect(answered.output_text).toContain('sunny, 21 C');

        // The same loop with the whole history sent (what the Agents SDK and Codex CLI do).
        const again = await ann.responses.create({
          model,
          tools: TOOLS,
          input: [{ role: 'user', content: 'Paris' }, ...called.output.filter((i) => i.type !== 'message'), { type: 'function_call_output', call_id: call.call_id, output: 'rain' }] as OpenAI.Responses.ResponseInput,
        });
        expect(again.output_text).toContain('rain');
      });

      it('answers in a JSON schema (text.format json_schema)', async () => {
        const answered = await ann.responses.create({ model, input: 'Lyon', text: FORMAT });
        const parsed = JSON.parse(answered.output_text) as { name: string; people: number };
        expect(parsed.name).toBe('Lyon');
        expect(typeof parsed.people).toBe('number');
      });

      it('takes images as input_image data URLs', async () => {
        const image = `data:image/png;base64,${pngImage(2, 2, 3).toString('base64')}`;
        const answered = await ann.responses.create({ model, input: [{ role: 'user', content: [{ type: 'input_text', text: 'Look' }, { type: 'input_image', image_url: image, detail: 'auto' }] }] });
        expect(answered.output_text).toContain('[image 1: image/png');
      });

      it('compacts a conversation', async () => {
        const compacted = await ann.responses.compact({ model, input: [{ role: 'user', content: 'Remember Paris' }] });
        expect(compacted.output.some((item) => item.type === 'compaction')).toBe(true);
      });
    } else {
      it('refuses tools and structured output with a 400 naming the field and the way out; accepts empty tools, include, text {}', async () => {
        await expect(ann.responses.create({ model, input: 'Paris', tools: TOOLS })).rejects.toMatchObject({ status: 400, error: { param: 'tools', message: expect.stringContaining('Route this model') } });
        await expect(ann.responses.create({ model, input: 'Lyon', text: FORMAT })).rejects.toMatchObject({ status: 400, error: { param: 'text.format' } });
        const fine = await ann.responses.create({ model, input: 'Fine', tools: [], include: [], text: {} });
        expect(fine.output_text).toBe(replyFor('Fine').text);
        await expect(ann.responses.compact({ model, input: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 400, error: { code: 'model_not_supported' } });
      });

      it('gives reasoning as a reasoning item', async () => {
        const answered = await ann.responses.create({ model: 'o3', input: 'Think [[sim reasoning=1]]' });
        expect(answered.output[0]).toMatchObject({ type: 'reasoning' });
        expect(answered.output.at(-1)).toMatchObject({ type: 'message' });
      });
    }
  });

  it('on Codex accounts, returns reasoning with its encrypted content and replays it (without ids) on the next turn', async () => {
    stack.sim.codex.clearRequests();
    const first = await ann.responses.create({ model: 'gpt-5.4', input: 'Think first', reasoning: { effort: 'medium', summary: 'auto' }, include: ['reasoning.encrypted_content'] });
    const reasoning = first.output.find((item): item is OpenAI.Responses.ResponseReasoningItem => item.type === 'reasoning');
    expect(reasoning?.encrypted_content).toEqual(expect.any(String));
    await ann.responses.create({ model: 'gpt-5.4', input: 'And then', previous_response_id: first.id });
    const sent = codexBodies().at(-1)!.input as LooseJson[];
    const replayed = sent.find((item) => item.type === 'reasoning')!;
    expect(replayed).toMatchObject({ encrypted_content: reasoning!.encrypted_content });
    expect(replayed.id).toBeUndefined();
  });

  it.each<Kind>(['codex', 'chatgpt'])('on %s, a stream that fails after its first words ends with response.failed carrying the error, no [DONE]', async (kind) => {
    const { data: key } = { data: (await adminJson('POST', '/admin/v1/keys', { user: 'ann' })).key as string };
    const res = await fetch(`${stack.gatewayUrl}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL[kind], stream: true, input: 'Break [[sim words=12 fail=stream_error after=2]]' }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const events = text
      .split('\n\n')
      .filter((e) => e.includes('data: '))
      .map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as { type: string; sequence_number: number; response?: { error: { code: string } | null } });
    expect(events[0].type).toBe('response.created');
    expect(events.map((e) => e.type)).toContain('response.output_text.delta');
    // chatgate's own failure and the Codex backend's `response.failed` end alike: an `error` event, then `response.failed` with the same code.
    const failed = events.at(-1)! as { type: string; response: { error: { code: string } } };
    expect(failed).toMatchObject({ type: 'response.failed', response: { error: { code: expect.any(String) } } });
    expect(events.at(-2)).toMatchObject({ type: 'error', code: failed.response.error.code, error: { code: failed.response.error.code } });
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(text).not.toContain('[DONE]');
  });

  it.each<Kind>(['codex', 'chatgpt'])("on %s, the SDK's stream helper throws the failure after the first words (an upstream's response.failed as chatgate's own)", async (kind) => {
    const stream = ann.responses.stream({ model: MODEL[kind], input: 'Break [[sim words=12 fail=stream_error after=2]]' });
    const seen: string[] = [];
    const thrown = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((err: unknown) => err);
    expect(seen).toContain('response.output_text.delta');
    expect(thrown).toBeInstanceOf(OpenAI.APIError);
    expect((thrown as InstanceType<typeof OpenAI.APIError>).code).toEqual(expect.any(String));
    await expect(stream.finalResponse()).rejects.toBeInstanceOf(OpenAI.APIError);
  });

  describe('on Codex accounts, what the backend cannot do chatgate does', () => {
    const prompt = 'Go on [[sim words=120]]';

    it('cuts the output at max_output_tokens (status incomplete, reason max_output_tokens), streamed and not, with the upstream usage', async () => {
      stack.sim.codex.clearRequests();
      const whole = await ann.responses.create({ model: 'gpt-5.4', input: prompt });
      const { data: cut, response } = await ann.responses.create({ model: 'gpt-5.4', input: prompt, max_output_tokens: 20 }).withResponse();
      expect(cut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, max_output_tokens: 20 });
      expect(cut.output_text.length).toBeGreaterThan(0);
      expect(cut.output_text.length).toBeLessThan(whole.output_text.length);
      expect(whole.output_text.startsWith(cut.output_text)).toBe(true);
      expect(cut.output.at(-1)).toMatchObject({ type: 'message', status: 'incomplete' });
      // The backend was not sent the field; the usage is what it counted for the whole answer.
      expect(codexBodies().every((body) => body.max_output_tokens === undefined)).toBe(true);
      expect(cut.usage?.output_tokens).toBe(whole.usage?.output_tokens);
      const row = await usageRow(response.headers.get('x-request-id'));
      expect(row).toMatchObject({ upstream: 'codex', outcome: 'ok', completion_tokens: whole.usage?.output_tokens });

      const stream = ann.responses.stream({ model: 'gpt-5.4', input: prompt, max_output_tokens: 20 });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      const final = await stream.finalResponse();
      expect(types.at(-1)).toBe('response.incomplete');
      expect(types).not.toContain('response.completed');
      expect(types.filter((t) => t === 'response.output_item.done').length).toBe(types.filter((t) => t === 'response.output_item.added').length);
      expect(final).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
      expect(final.output_text).toBe(cut.output_text);
      // The cut response is stored as the client got it.
      expect(await ann.responses.retrieve(cut.id)).toMatchObject({ status: 'incomplete', output_text: cut.output_text });
    });

    it('fetches images and files given by http(s) URL under the SSRF guard and sends them as data URLs; the stored input keeps the URLs', async () => {
      stack.sim.codex.clearRequests();
      const answered = await ann.responses.create({
        model: 'gpt-5.4',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'Look and read' },
              { type: 'input_image', image_url: `${hostUrl}/cat.png`, detail: 'low' },
              { type: 'input_file', file_url: `${hostUrl}/report.pdf` },
            ],
          },
        ],
      });
      expect(answered.output_text).toContain(`[image 1: image/png, ${HOSTED_IMAGE.length} bytes, 3x2]`);
      const sent = codexBodies().at(-1)!.input as LooseJson[];
      expect(sent[0].content[1]).toEqual({ type: 'input_image', image_url: `data:image/png;base64,${HOSTED_IMAGE.toString('base64')}`, detail: 'low' });
      expect(sent[0].content[2]).toEqual({ type: 'input_file', file_data: `data:application/pdf;base64,${HOSTED_PDF.toString('base64')}`, filename: 'report.pdf' });
      const items = await ann.responses.inputItems.list(answered.id);
      expect(JSON.stringify(items.data)).toContain(`${hostUrl}/cat.png`);

      const refused = await ann.responses.create({ model: 'gpt-5.4', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'http://169.254.169.254/latest/meta-data', detail: 'auto' }] }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input[0].content[0].image_url');
    });

    it('answers a stored response whose items are more than one NATS message holds, whole (input items, and a continuation)', async () => {
      // Each request fits in one bus message (a job carries its body in base64); the third response's stored input holds all three images.
      const image = (seed: number) => `data:image/png;base64,${Buffer.concat([pngImage(2, 2, seed), randomBytes(400 * 1024)]).toString('base64')}`;
      const look = (text: string, url: string) => [{ role: 'user' as const, content: [{ type: 'input_text' as const, text }, { type: 'input_image' as const, image_url: url, detail: 'auto' as const }] }];
      const first = await ann.responses.create({ model: 'gpt-5.4', input: look('First picture', image(1)) });
      const middle = await ann.responses.create({ model: 'gpt-5.4', input: look('Middle picture', image(2)), previous_response_id: first.id });
      const second = await ann.responses.create({ model: 'gpt-5.4', input: look('Second picture', image(3)), previous_response_id: middle.id });
      const items = await ann.responses.inputItems.list(second.id, { order: 'asc' });
      const text = JSON.stringify(items.data);
      expect(Buffer.byteLength(text)).toBeGreaterThan(1024 * 1024);
      expect(text).toContain('First picture');
      expect(text).toContain('Second picture');
      expect(await ann.responses.retrieve(second.id)).toMatchObject({ id: second.id, status: 'completed' });
      // A ChatGPT-account turn continuing it reads the whole chain over the bus (not a timeout), then says the chat job cannot carry it.
      const third = await ann.responses.create({ model: 'gpt-4o', input: 'And now in words', previous_response_id: second.id }).catch((e: unknown) => e);
      expect(third).toMatchObject({ status: 413, error: { code: 'request_too_large' } });
    });
  });

  it('keeps a ChatGPT-account response larger than one NATS message (its long input echoed back), in parts', async () => {
    // The request and the job fit one message; input + answer (the simulator echoes the prompt) do not.
    const long = `Echo this: ${Array.from({ length: 40_000 }, (_, i) => `w${i} 🙂`).join(' ')} \u0000 the end`;
    const { data: created, response } = await ann.responses.create({ model: 'gpt-4o', input: long }).withResponse();
    expect(created.output_text).toBe(replyFor(long).text);
    const got = await ann.responses.retrieve(created.id);
    expect(Buffer.byteLength(JSON.stringify(got)) + Buffer.byteLength(JSON.stringify(long))).toBeGreaterThan(1024 * 1024);
    expect(got.output_text).toBe(created.output_text);
    const items = await ann.responses.inputItems.list(created.id);
    expect(JSON.stringify(items.data)).toContain(JSON.stringify(long).slice(1, -1));
    expect((await db.query('SELECT count(*)::int AS n FROM conversation.response_uploads WHERE id = $1', [created.id])).rows[0].n).toBe(0);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it("commits a response's parts only when all are there and make that response; parts of a save never finished expire", async () => {
    const store = stack.workers[0].app.get(ResponseStore);
    const owner = { tenantId: 'tenant-parts', userId: null, credentialId: 'cred-parts' };
    const stored = { id: 'resp_parts_1', upstream: 'chatgpt' as const, model: 'gpt-4o', accountId: null, response: { id: 'resp_parts_1', output: [] }, input: [{ role: 'user', content: 'x\u0000y' }], conversationId: null, messageId: null };
    const json = JSON.stringify(stored);
    const [head, tail] = [json.slice(0, 10), json.slice(10)];
    await store.savePart(owner, stored.id, 1, tail);
    await expect(store.commitParts(owner, stored.id, 2)).rejects.toBeInstanceOf(IncompleteUploadError);
    expect(await store.find(owner, stored.id)).toBeNull();
    await store.savePart(owner, stored.id, 0, '{"id":"resp_other",');
    await store.savePart(owner, stored.id, 1, tail);
    await expect(store.commitParts(owner, stored.id, 2)).rejects.toBeInstanceOf(IncompleteUploadError);
    // A part sent again replaces the first one; another owner's parts are not these.
    await store.savePart(owner, stored.id, 0, 'garbage');
    await store.savePart(owner, stored.id, 0, head);
    await store.savePart(owner, stored.id, 1, tail);
    await store.savePart({ ...owner, credentialId: 'someone-else' }, stored.id, 2, 'theirs');
    await store.commitParts(owner, stored.id, 2);
    expect(await store.find(owner, stored.id)).toMatchObject({ id: stored.id, input: [{ role: 'user', content: 'x\u0000y' }] });
    await store.savePart(owner, 'resp_parts_2', 0, head);
    await db.query(`UPDATE conversation.response_uploads SET created_at = now() - interval '2 hours' WHERE id = 'resp_parts_2'`);
    await store.cleanup();
    expect((await db.query(`SELECT id, part FROM conversation.response_uploads WHERE tenant_id = 'tenant-parts'`)).rows).toEqual([{ id: 'resp_parts_1', part: 2 }]);
  });

  it('refuses a bad request with a 400 naming the field, before any upstream', async () => {
    await expect(ann.responses.create({ model: 'gpt-4o', input: 'x', temperature: 5 })).rejects.toMatchObject({ status: 400, error: { param: 'temperature' } });
    await expect(ann.responses.create({ input: 'x' } as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming)).rejects.toMatchObject({ status: 400, error: { param: 'model' } });
    await expect(ann.responses.create({ model: 'gpt-5.4', input: 'x', temperature: 0.2 })).rejects.toMatchObject({ status: 400, error: { param: 'temperature' } });
  });

  it('counts input tokens on API keys, and says which upstreams count them elsewhere', async () => {
    const counted = await ann.responses.inputTokens.count({ model: 'gpt-4o-mini', input: 'How many tokens?' });
    expect(counted.input_tokens).toBeGreaterThan(0);
    await expect(ann.responses.inputTokens.count({ model: 'gpt-5.4', input: 'x' })).rejects.toMatchObject({ status: 400, error: { code: 'model_not_supported' } });
  });

  it('stores nothing with store: false, and removes expired responses', async () => {
    const kept = await ann.responses.create({ model: 'gpt-5.4', input: 'Forget me', store: false });
    await expect(ann.responses.retrieve(kept.id)).rejects.toMatchObject({ status: 404 });
    const old = await ann.responses.create({ model: 'gpt-5.4', input: 'Old one' });
    await db.query(`UPDATE conversation.responses SET expires_at = now() - interval '1 second' WHERE id = $1`, [old.id]);
    await expect(ann.responses.retrieve(old.id)).rejects.toMatchObject({ status: 404 });
  });
});
