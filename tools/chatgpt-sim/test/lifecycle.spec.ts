import { describe, it, expect } from '@jest/globals';
import { startSimulator } from '../src/index.js';
import { postConversation, waitFor } from './support.js';

describe('stream lifecycle and stats', () => {
  it('counts requests, completed streams and a stream the client aborted', async () => {
    const sim = await startSimulator();
    try {
      const acc = sim.issueAccount();
      await (await postConversation(sim.url, { prompt: 'done quickly', token: acc.accessToken })).text();

      const controller = new AbortController();
      const res = await postConversation(sim.url, {
        prompt: 'one two three four five six [[sim delay=200]]',
        token: acc.accessToken,
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      expect(sim.stats().activeStreams).toBe(1);
      controller.abort();
      await waitFor(() => sim.stats().abortedStreams === 1, 'the aborted stream to be counted');
      expect(sim.stats()).toMatchObject({
        conversationRequests: 2,
        activeStreams: 0,
        completedStreams: 1,
        abortedStreams: 1,
        byAccount: { [acc.accountId]: 2 },
      });
    } finally {
      await sim.close();
    }
  });

  it('close() ends stalled and delayed streams and leaves no timers behind', async () => {
    // Track the timers the simulator's own code creates, to see that close() clears every one.
    const live = new Set<unknown>();
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const patchedSet = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const mine = /chatgpt-sim\/src\//.test(new Error().stack ?? '');
      const handle: unknown = realSet(
        (...a: unknown[]) => {
          live.delete(handle);
          fn(...a);
        },
        ms,
        ...args,
      );
      if (mine) live.add(handle);
      return handle;
    };
    globalThis.setTimeout = patchedSet as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((handle: Parameters<typeof clearTimeout>[0]) => {
      live.delete(handle);
      realClear(handle);
    }) as typeof clearTimeout;
    try {
      const sim = await startSimulator();
      const acc = sim.issueAccount();
      const stalled = await postConversation(sim.url, { prompt: 'a b c [[sim fail=stall after=1]]', token: acc.accessToken });
      const slow = await postConversation(sim.url, { prompt: 'a b c d [[sim delay=60000]]', token: acc.accessToken, v1: true });
      const waiting = postConversation(sim.url, { prompt: 'a [[sim ttfb=60000]]', token: acc.accessToken }).catch(() => 'failed');
      await waitFor(() => sim.stats().activeStreams === 3, 'three open streams');
      expect(live.size).toBe(2); // the delay and the ttfb timers
      const bodies = [stalled.text().catch(() => 'cut'), slow.text().catch(() => 'cut')];
      const started = Date.now();
      await sim.close();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(live.size).toBe(0);
      expect(await Promise.all(bodies)).toEqual(['cut', 'cut']);
      expect(await waiting).toBe('failed');
      expect(sim.stats()).toMatchObject({ activeStreams: 0, abortedStreams: 3, completedStreams: 0 });
    } finally {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    }
  });

  it('serves many concurrent streams on keep-alive connections', async () => {
    const sim = await startSimulator();
    try {
      const acc = sim.issueAccount();
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          postConversation(sim.url, { prompt: `request ${i} [[sim words=30]]`, token: acc.accessToken, v1: i % 2 === 0 }).then((r) =>
            r.text(),
          ),
        ),
      );
      expect(results.every((t) => t.endsWith('data: [DONE]\n\n'))).toBe(true);
      expect(sim.stats()).toMatchObject({ conversationRequests: 200, completedStreams: 200, activeStreams: 0 });
    } finally {
      await sim.close();
    }
  });
});
