import { describe, expect, it } from '@jest/globals';
import type { ChatJob } from '@chatgate/contracts';
import { buildConversationRequest } from './conversation-request.js';

const job = (extra: Partial<ChatJob> = {}): ChatJob => ({
  requestId: 'r',
  model: 'gpt-4o',
  messages: [
    { role: 'developer', content: 'be brief' },
    { role: 'user', content: 'first' },
    { role: 'assistant', content: 'answer' },
    { role: 'user', content: [{ type: 'text', text: 'second' }, { type: 'text', text: 'part' }] },
  ],
  stream: true,
  historyDisabled: false,
  upstream: { kind: 'chatgpt_access_token', accessToken: 't' },
  tenantId: 't',
  credentialId: 'c',
  userId: null,
  userName: null,
  ...extra,
});

type Body = { messages: Array<{ author: { role: string }; content: { parts: string[] } }>; [k: string]: unknown };

describe('buildConversationRequest', () => {
  it('sends a new conversation with the whole history', () => {
    const body = buildConversationRequest(job(), { slug: 'gpt-4o', gizmoId: null }, { v1Encoding: true }) as Body;
    expect(body.action).toBe('next');
    expect(body.parent_message_id).toBe('client-created-root');
    expect(body).not.toHaveProperty('conversation_id');
    expect(body.messages.map((m) => m.author.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(body.messages[3].content.parts).toEqual(['second\npart']);
    expect(body.supported_encodings).toEqual(['v1']);
    expect(body.conversation_mode).toEqual({ kind: 'primary_assistant' });
    expect(body.history_and_training_disabled).toBe(false);
  });

  it('continues an upstream conversation with only the newest message', () => {
    const body = buildConversationRequest(job({ conversationId: 'c1', parentMessageId: 'm9', historyDisabled: true }), { slug: 'gpt-4o', gizmoId: null }, { v1Encoding: false }) as Body;
    expect(body.conversation_id).toBe('c1');
    expect(body.parent_message_id).toBe('m9');
    expect(body.messages).toHaveLength(1);
    expect(body).not.toHaveProperty('supported_encodings');
    expect(body.history_and_training_disabled).toBe(true);
  });

  it('uses gizmo mode for GPTs and maps reasoning effort', () => {
    const body = buildConversationRequest(job({ reasoningEffort: 'high' }), { slug: 'gpt-4o', gizmoId: 'g-abc' }, { v1Encoding: true }) as Body;
    expect(body.conversation_mode).toEqual({ kind: 'gizmo_interaction', gizmo_id: 'g-abc' });
    expect(body.thinking_effort).toBe('max');
  });
});

describe('buildConversationRequest with files (reference §2, §4)', () => {
  const image = { fileId: 'file-img', name: 'cat.png', mimeType: 'image/png', size: 1234, image: { width: 32, height: 24 } };
  const pdf = { fileId: 'file-doc', name: 'r.pdf', mimeType: 'application/pdf', size: 999, image: null };

  it('sends images as pointers before the text, and every file as an attachment', () => {
    const j = job();
    const contents = j.messages.map((m, i) => (i === 3 ? { text: 'second\npart', files: [image, pdf] } : { text: typeof m.content === 'string' ? m.content : '', files: [] }));
    const body = buildConversationRequest(j, { slug: 'gpt-4o', gizmoId: null }, { v1Encoding: true, contents }) as { messages: Array<{ content: unknown; metadata: unknown }> };
    expect(body.messages[3].content).toEqual({
      content_type: 'multimodal_text',
      parts: [{ content_type: 'image_asset_pointer', asset_pointer: 'file-service://file-img', size_bytes: 1234, width: 32, height: 24 }, 'second\npart'],
    });
    expect(body.messages[3].metadata).toEqual({
      attachments: [
        { id: 'file-img', size: 1234, name: 'cat.png', mime_type: 'image/png', width: 32, height: 24 },
        { id: 'file-doc', size: 999, name: 'r.pdf', mime_type: 'application/pdf' },
      ],
    });
    expect(body.messages[1]).toMatchObject({ content: { content_type: 'text', parts: ['first'] }, metadata: {} });
  });

  it('keeps a documents-only message as text with attachments', () => {
    const j = job({ messages: [{ role: 'user', content: 'read this' }] });
    const body = buildConversationRequest(j, { slug: 'gpt-4o', gizmoId: null }, { v1Encoding: true, contents: [{ text: 'read this', files: [pdf] }] }) as { messages: Array<{ content: unknown; metadata: { attachments: unknown[] } }> };
    expect(body.messages[0].content).toEqual({ content_type: 'text', parts: ['read this'] });
    expect(body.messages[0].metadata.attachments).toHaveLength(1);
  });
});
