import 'reflect-metadata';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import type { Principal } from '@chatgate/contracts';
import { ADMIN_FEATURE } from './admin/index.js';
import { AdminGuard } from './admin/admin.guard.js';
import { CHAT_FEATURE } from './chat/index.js';
import { CONVERSATIONS_FEATURE } from './conversations/index.js';
import { PLATFORM_FEATURE } from './platform/index.js';
import { VOICE_FEATURE } from './voice/index.js';
import { WEB_PROTOCOL_FEATURE } from './web-protocol/index.js';
import { InFlightLimiter, routeClassOf } from './shared/http/request-gate.js';
import { nestsDeeperThan } from './shared/http/json-body.js';

const BODY_METHODS = [RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE, RequestMethod.ALL];

/** Every route of a controller with a body (`/a/b` patterns as Fastify sees them) and whether AdminGuard guards it. */
function bodyRoutesOf(controller: new (...args: never[]) => unknown): Array<{ route: string; admin: boolean }> {
  const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  const classGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, controller) ?? [];
  const out: Array<{ route: string; admin: boolean }> = [];
  for (const name of Object.getOwnPropertyNames(controller.prototype)) {
    const handler = (controller.prototype as Record<string, unknown>)[name];
    if (typeof handler !== 'function' || name === 'constructor') continue;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined || !BODY_METHODS.includes(method)) continue;
    const guards: unknown[] = [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? [])];
    for (const prefix of base) {
      for (const path of ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, handler) ?? '')) {
        const route = `/${[prefix, path].filter(Boolean).join('/')}`.replace(/\/+/g, '/').replace(/:(\w+)/g, ':$1');
        out.push({ route, admin: guards.includes(AdminGuard) });
      }
    }
  }
  return out;
}

describe('request gate', () => {
  it('classes every admin route with a body as admin, so its credential is checked before the body', () => {
    const routes = ADMIN_FEATURE.controllers.flatMap((c) => bodyRoutesOf(c as never));
    expect(routes.length).toBeGreaterThan(10);
    for (const { route, admin } of routes) expect([route, admin, routeClassOf(route)]).toEqual([route, true, 'admin']);
  });

  it('classes every client route with a body as client', () => {
    const routes = [CHAT_FEATURE, PLATFORM_FEATURE, VOICE_FEATURE, WEB_PROTOCOL_FEATURE, CONVERSATIONS_FEATURE].flatMap((f) => f.controllers.flatMap((c) => bodyRoutesOf(c as never)));
    expect(routes.length).toBeGreaterThan(8);
    for (const { route } of routes) expect([route, routeClassOf(route)]).toEqual([route, 'client']);
  });

  it('leaves health, the console and sealed file links open', () => {
    for (const route of ['/health', '/health/ready', '/console/*', '/v1/files/:token', '/me', '/api/not-login']) expect(routeClassOf(route)).toBe('open');
  });

  const principal = (over: Partial<Principal>): Principal => ({ credentialId: 'c1', tenantId: 't', userId: null, label: 'x', ...over }) as Principal;

  it('caps the requests one principal has running, gives slots back when answers end, and counts a user across keys', () => {
    const limiter = new InFlightLimiter(2);
    const answers = [new EventEmitter(), new EventEmitter()];
    limiter.enter(principal({ credentialId: 'k1', userId: 'u1' }), answers[0]);
    limiter.enter(principal({ credentialId: 'k2', userId: 'u1' }), answers[1]);
    expect(() => limiter.enter(principal({ credentialId: 'k1', userId: 'u1' }), new EventEmitter())).toThrow(expect.objectContaining({ status: 429 }));
    // Another principal is not affected.
    limiter.enter(principal({ credentialId: 'pool' }), new EventEmitter());
    answers[0].emit('close');
    limiter.enter(principal({ credentialId: 'k1', userId: 'u1' }), new EventEmitter());
    expect(() => new InFlightLimiter(0).enter(principal({}), new EventEmitter())).not.toThrow();
  });

  it('measures JSON nesting without counting brackets inside strings', () => {
    const deep = (n: number) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`);
    expect(nestsDeeperThan(deep(64), 64)).toBe(false);
    expect(nestsDeeperThan(deep(65), 64)).toBe(true);
    expect(nestsDeeperThan(Buffer.from(`{"a":"${'['.repeat(200)}\\"${'{'.repeat(200)}"}`), 64)).toBe(false);
    expect(nestsDeeperThan(Buffer.from(`[${'{"a":'.repeat(70)}1${'}'.repeat(70)}]`), 64)).toBe(true);
  });
});
