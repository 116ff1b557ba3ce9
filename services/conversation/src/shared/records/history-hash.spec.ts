import { describe, expect, it } from '@jest/globals';
import type { ChatMessage } from '@chatgate/contracts';
import { answeredHistoryHash, historyHash, normaliseMessage, priorHistoryHash } from './history-hash.js';

const user = (content: ChatMessage['content']): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });

describe('history hashing', () => {
  it('matches the history a finished turn left with the history the next request continues', () => {
    const turn1: ChatMessage[] = [{ role: 'system', content: 'Be brief.' }, user('Hello')];
    const left = answeredHistoryHash(turn1, 'Hi there.');
    expect(priorHistoryHash([...turn1, assistant('Hi there.'), user('And then?')])).toBe(left);
  });

  it('forgives line endings, surrounding whitespace, developer for system and text parts for a string', () => {
    const a = historyHash([{ role: 'developer', content: 'Rules' }, user('line one\nline two'), assistant('ok')]);
    const b = historyHash([{ role: 'system', content: '  Rules\n' }, user([{ type: 'text', text: 'line one' }, { type: 'text', text: 'line two' }]), assistant('ok\r\n')]);
    expect(b).toBe(a);
    expect(normaliseMessage(user('a\r\nb '))).toEqual({ role: 'user', text: 'a\nb' });
  });

  it('tells apart histories that differ in order, role, text or system prompt', () => {
    const base = historyHash([user('a'), assistant('b')]);
    expect(historyHash([assistant('b'), user('a')])).not.toBe(base);
    expect(historyHash([user('a'), user('b')])).not.toBe(base);
    expect(historyHash([user('a'), assistant('b.')])).not.toBe(base);
    expect(historyHash([{ role: 'system', content: 'x' }, user('a'), assistant('b')])).not.toBe(base);
    // Length-prefixed: moving text across a message boundary is a different history.
    expect(historyHash([user('ab'), assistant('')])).not.toBe(historyHash([user('a'), assistant('b')]));
    expect(historyHash([user('a\nassistant\n1\nb')])).not.toBe(historyHash([user('a'), assistant('b')]));
  });

  it('has nothing to continue for a single message', () => {
    expect(priorHistoryHash([user('only')])).toBeNull();
    expect(priorHistoryHash([user('first'), user('second')])).toBe(historyHash([user('first')]));
  });
});
