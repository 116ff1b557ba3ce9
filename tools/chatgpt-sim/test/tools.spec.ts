import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startSimulator, simFileBytes, type Simulator, type SimAccount } from '../src/index.js';
import { decodeV1, parseSse, type Loose, type SseEvent } from './support.js';

/** Legacy: the last state of every message, in order of first appearance. */
function legacyMessages(events: SseEvent[]): Loose[] {
  const byId = new Map<string, Loose>();
  for (const e of events) {
    if (e.data === '[DONE]') continue;
    const frame = JSON.parse(e.data) as Loose;
    if (frame.message) byId.set(frame.message.id, frame.message);
  }
  return [...byId.values()];
}

/** What a client-facing renderer reads of a message, without the per-turn ids. */
const shape = (m: Loose) => ({
  role: m.author.role,
  recipient: m.recipient,
  status: m.status,
  content: JSON.parse(JSON.stringify(m.content).replace(/(file[-_]|gen_)[0-9a-f]{24}/g, 'ID')),
  finished_text: m.metadata.finished_text,
  citations: m.metadata.citations?.length ?? 0,
  references: m.metadata.content_references?.length ?? 0,
});

describe('tool turns ([[sim tool=...]])', () => {
  let sim: Simulator;
  let account: SimAccount;

  beforeAll(async () => {
    sim = await startSimulator();
    account = sim.issueAccount({ plan: 'plus' });
  });
  afterAll(() => sim.close());

  async function turn(prompt: string, v1: boolean, history = true, token = account.accessToken) {
    const res = await fetch(`${sim.url}/backend-api/conversation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        action: 'next',
        messages: [{ id: 'u-1', author: { role: 'user' }, content: { content_type: 'text', parts: [prompt] }, metadata: {} }],
        parent_message_id: 'client-created-root',
        model: 'gpt-4o',
        history_and_training_disabled: !history,
        ...(v1 ? { supported_encodings: ['v1'] } : {}),
      }),
    });
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());
    const messages = v1 ? decodeV1(events).documents.map((d) => d.message as Loose).filter(Boolean) : legacyMessages(events);
    // Hidden system, preamble and memory traffic are not the scenario's.
    const visible = messages.filter((m) => m.author.role !== 'system' && m.recipient !== 'bio' && m.author.name !== 'bio' && !m.metadata.is_thinking_preamble_message);
    // Both encodings name the conversation at the top level of an early frame.
    const conversationId = String((JSON.parse(events.find((e) => e.data.includes('"conversation_id"'))!.data) as Loose).conversation_id);
    return { messages: visible, conversationId };
  }

  it.each(['code', 'browse', 'image', 'image_async', 'dalle', 'sandbox'])('%s: both encodings end with the same messages', async (tool) => {
    const v1 = await turn(`x [[sim tool=${tool}]]`, true, false);
    const legacy = await turn(`x [[sim tool=${tool}]]`, false, false);
    expect(v1.messages.map(shape)).toEqual(legacy.messages.map(shape));
    expect(v1.messages.every((m) => m.status === 'finished_successfully')).toBe(true);
  });

  it('code: the code the model ran, its output, then the answer', async () => {
    const { messages } = await turn('x [[sim tool=code]]', true, false);
    expect(messages.map((m) => [m.author.role, m.recipient, m.content.content_type, m.content.text ?? m.content.parts?.[0]])).toEqual([
      ['assistant', 'python', 'code', 'import math\nprint(math.sqrt(1764))'],
      ['tool', 'all', 'execution_output', '42\n'],
      ['assistant', 'all', 'text', 'The square root of 1764 is **42**.'],
    ]);
  });

  it('browse: citations whose start_ix/end_ix span the marker in the answer text', async () => {
    const { messages } = await turn('x [[sim tool=browse]]', false, false);
    const answer = messages[messages.length - 1];
    const [citation] = answer.metadata.citations;
    expect(answer.content.parts[0].slice(citation.start_ix, citation.end_ix)).toBe('【0†source】');
    const [reference] = answer.metadata.content_references;
    expect(answer.content.parts[0].slice(reference.start_idx, reference.end_idx)).toBe(reference.matched_text);
  });

  it('generated files download through a signed blob URL, only for the account that made them', async () => {
    for (const [tool, pathOf] of [
      ['image', (cid: string, id: string) => `/backend-api/conversation/${cid}/attachment/${id}/download`],
      ['dalle', (_cid: string, id: string) => `/backend-api/files/${id}/download`],
      ['sandbox', (cid: string, id: string) => `/backend-api/conversation/${cid}/interpreter/download?sandbox_path=${encodeURIComponent(id)}&message_id=MSG`],
    ] as const) {
      const { messages, conversationId } = await turn(`x [[sim tool=${tool}]]`, true);
      const file = sim.generatedFiles().at(-1)!;
      expect(file).toMatchObject({ accountId: account.accountId, conversationId });
      const answerId = messages[messages.length - 1].id as string;
      const path = pathOf(conversationId, file.id).replace('MSG', answerId);
      const get = (p: string, token?: string) => fetch(`${sim.url}${p}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect((await get(path)).status).toBe(401);
      expect((await get(path, sim.issueAccount().accessToken)).status).toBe(404);
      const ok = await get(path, account.accessToken);
      expect(ok.status).toBe(200);
      const { download_url: url } = (await ok.json()) as { download_url: string };
      const blob = await fetch(url);
      expect(blob.status).toBe(200);
      expect(blob.headers.get('content-type')).toBe(file.contentType);
      expect(Buffer.from(await blob.arrayBuffer())).toEqual(simFileBytes(file));
      expect((await fetch(url.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);
    }
    // The interpreter knows a file only in the message that linked it.
    const { conversationId } = await turn('x [[sim tool=sandbox]]', false);
    const res = await fetch(`${sim.url}/backend-api/conversation/${conversationId}/interpreter/download?sandbox_path=%2Fmnt%2Fdata%2Freport.csv&message_id=other`, {
      headers: { authorization: `Bearer ${account.accessToken}` },
    });
    expect(res.status).toBe(404);
  });

  it('image_async: the stream ends first; the image lands in the saved conversation a moment later', async () => {
    const { messages, conversationId } = await turn('x [[sim tool=image_async]]', true);
    expect(messages.some((m) => m.content.content_type === 'multimodal_text' && m.content.parts.length > 0)).toBe(false);
    const read = async (token = account.accessToken) =>
      fetch(`${sim.url}/backend-api/conversation/${conversationId}`, { headers: { authorization: `Bearer ${token}` } });
    const images = async () => {
      const conversation = (await (await read()).json()) as Loose;
      return Object.values(conversation.mapping as Record<string, Loose>).filter((n) => n.message?.content?.content_type === 'multimodal_text');
    };
    expect(await images()).toEqual([]);
    await new Promise((r) => setTimeout(r, 400));
    const [node] = await images();
    expect(node.message.content.parts[0].asset_pointer).toMatch(/^sediment:\/\/file_[0-9a-f]{24}$/);
    expect(node.parent).toBe(messages[messages.length - 1].id);
    expect(sim.generatedFiles().at(-1)).toMatchObject({ kind: 'sediment', conversationId });
    expect((await read(sim.issueAccount().accessToken)).status).toBe(404);
  });

  it('a temporary chat keeps no files', async () => {
    const before = sim.generatedFiles().length;
    await turn('x [[sim tool=image]]', true, false);
    expect(sim.generatedFiles().length).toBe(before);
  });
});
