import { describe, expect, it } from '@jest/globals';
import { ReplyRenderer } from './render/reply-renderer.js';
import { awaitLateImages, imagesOfTurn, lateImageEvents } from './late-images.js';

const pointer = (id: string) => ({ content_type: 'image_asset_pointer', asset_pointer: `sediment://${id}`, width: 8, height: 4 });
const node = (id: string, parent: string | null, role: string, content: Record<string, unknown>) => ({ id, parent, children: [], message: { id, author: { role }, content } });

/** Two turns; the second one's image landed after its answer. */
const conversation = {
  current_node: 'img-2',
  mapping: {
    u1: node('u1', null, 'user', { content_type: 'text', parts: ['first'] }),
    'img-1': node('img-1', 'u1', 'tool', { content_type: 'multimodal_text', parts: [pointer('old')] }),
    a1: node('a1', 'img-1', 'assistant', { content_type: 'text', parts: ['one'] }),
    u2: node('u2', 'a1', 'user', { content_type: 'text', parts: ['second'] }),
    a2: node('a2', 'u2', 'assistant', { content_type: 'text', parts: ['two'] }),
    'img-2': node('img-2', 'a2', 'tool', { content_type: 'multimodal_text', parts: ['caption', pointer('new'), pointer('shown')] }),
  },
};
const links = { image: (p: string) => ({ url: `https://gw/${p.slice('sediment://'.length)}` }), sandbox: () => ({ unavailable: 'n/a' }) };

describe('late images', () => {
  it('finds the images of the current turn only, skipping those already shown', () => {
    expect(imagesOfTurn(conversation, new Set(['sediment://shown']))).toEqual([{ type: 'image', pointer: 'sediment://new', width: 8, height: 4, messageId: 'img-2' }]);
  });

  it('looks again until the images are there, then stops', async () => {
    const answers = [null, { current_node: 'a2', mapping: conversation.mapping }, conversation];
    let reads = 0;
    const read = async () => answers[Math.min(reads++, answers.length - 1)];
    const found = await awaitLateImages(read, { accessToken: 't', chatgptAccountId: null, deviceId: null }, 'c', 1, new Set(), 10, new AbortController().signal);
    expect(found.map((i) => i.pointer)).toEqual(['sediment://new', 'sediment://shown']);
    expect(reads).toBe(3);
  });

  it('renders the images that came, and a note for each one that did not', async () => {
    const renderer = new ReplyRenderer(links);
    renderer.render([{ type: 'text', channel: 'answer', delta: 'On its way.', messageId: 'a2' }, { type: 'image_pending', messageId: 'img-2' }, { type: 'image_pending', messageId: 'img-3' }, { type: 'image_pending', messageId: 'img-4' }]);
    const events = await lateImageEvents(async () => conversation, { identity: { accessToken: 't', chatgptAccountId: null, deviceId: null }, conversationId: 'c', historyOff: false, waitSec: 1, signal: new AbortController().signal }, renderer);
    const text = events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
    expect(text).toBe(
      '\n\n![image](https://gw/new)\n\n![image](https://gw/shown)\n\n_(The generated image is not linked: it was not ready within 1 second; it will appear in the ChatGPT conversation.)_',
    );
    expect(renderer.awaitingImages).toBe(0);
  });

  it('a temporary chat: no waiting, a note', async () => {
    const renderer = new ReplyRenderer(links);
    renderer.render([{ type: 'image_pending', messageId: 'img' }]);
    let reads = 0;
    const events = await lateImageEvents(async () => (reads++, conversation), { identity: { accessToken: 't', chatgptAccountId: null, deviceId: null }, conversationId: 'c', historyOff: true, waitSec: 60, signal: new AbortController().signal }, renderer);
    expect(reads).toBe(0);
    expect(events).toEqual([{ type: 'text', channel: 'answer', delta: expect.stringContaining('temporary chat') as unknown as string, messageId: '' }]);
  });
});
