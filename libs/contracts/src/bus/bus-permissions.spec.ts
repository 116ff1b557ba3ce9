import { describe, expect, it } from '@jest/globals';
import * as contracts from '../index.js';
import { busPermissions } from './bus-permissions.js';

/** NATS subject matching: `*` one token, `>` the rest. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

/** Every subject constant of the contracts, cancel prefixes as one of their subjects. */
const SUBJECTS: Array<readonly [string, string]> = Object.entries(contracts as Record<string, unknown>)
  .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].startsWith('chatgate.') && entry[0] !== 'ADMIN_SUBJECTS')
  .map(([name, subject]) => [name, name.endsWith('_PREFIX') ? `${subject}.request-1` : subject] as const);
/** Subjects JetStream stores (a stream's subjects): the usage service reads them through its consumer, not a subscription. */
const STORED = new Set(['USAGE_EVENT']);

describe('bus permissions', () => {
  const permissions = Object.values(busPermissions());

  it('lets some service publish, and some service subscribe to, every subject of the contracts', () => {
    expect(SUBJECTS.length).toBeGreaterThan(40);
    const unpublished = SUBJECTS.filter(([, s]) => !permissions.some((p) => p.publish.some((pattern) => matches(pattern, s)))).map(([n]) => n);
    const unheard = SUBJECTS.filter(([n, s]) => !STORED.has(n) && !permissions.some((p) => p.subscribe.some((pattern) => matches(pattern, s)))).map(([n]) => n);
    expect({ unpublished, unheard }).toEqual({ unpublished: [], unheard: [] });
  });

  it('gives admin requests to the gateway to send and to auth to answer, and to no one else', () => {
    const all = busPermissions();
    const senders = Object.entries(all).filter(([, p]) => p.publish.some((pattern) => matches(pattern, contracts.ADMIN_TENANTS_CREATE))).map(([s]) => s);
    const answerers = Object.entries(all).filter(([, p]) => p.subscribe.some((pattern) => matches(pattern, contracts.ADMIN_TENANTS_CREATE))).map(([s]) => s);
    expect({ senders, answerers }).toEqual({ senders: ['gateway'], answerers: ['auth'] });
    const leaseAnswerers = Object.entries(all).filter(([, p]) => p.subscribe.some((pattern) => matches(pattern, contracts.ACCOUNT_LEASE))).map(([s]) => s);
    expect(leaseAnswerers).toEqual(['auth']);
    const limitAnswerers = Object.entries(all).filter(([, p]) => p.subscribe.some((pattern) => matches(pattern, contracts.USAGE_LIMIT_TAKE))).map(([s]) => s);
    expect(limitAnswerers).toEqual(['usage']);
  });

  it("keeps each service's inbox its own", () => {
    for (const [service, p] of Object.entries(busPermissions())) {
      const inboxes = p.subscribe.filter((pattern) => pattern.startsWith('_INBOX'));
      expect([service, inboxes]).toEqual([service, [`_INBOX_${service}.>`]]);
    }
  });
});
