import { describe, expect, it } from '@jest/globals';
import { PAGE_SESSION_TTL_MS, PageSessions } from './page-sessions.js';
import { pageCookie, readCookie } from './page-cookie.js';

describe('PageSessions', () => {
  it('maps an opaque handle (not derived from the token) to the token until it expires or is closed', () => {
    const sessions = new PageSessions();
    let now = 1_000;
    sessions.now = () => now;
    const handle = sessions.open('mt-cg-secret');
    expect(handle).toMatch(/^[\w-]{43}$/);
    expect(handle).not.toContain('secret');
    expect(sessions.open('mt-cg-secret')).not.toBe(handle);
    expect(sessions.bearerOf(handle)).toBe('mt-cg-secret');
    expect(sessions.bearerOf('other')).toBeUndefined();
    expect(sessions.bearerOf(undefined)).toBeUndefined();
    now += PAGE_SESSION_TTL_MS;
    expect(sessions.bearerOf(handle)).toBeUndefined();
    const again = sessions.open('mt-cg-secret');
    sessions.close(again);
    expect(sessions.bearerOf(again)).toBeUndefined();
  });
});

describe('page cookie', () => {
  it('reads one cookie among others', () => {
    expect(readCookie('a=1; cg_page=abc-_1; b=2', 'cg_page')).toBe('abc-_1');
    expect(readCookie('cg_pagex=1', 'cg_page')).toBeUndefined();
    expect(readCookie(undefined, 'cg_page')).toBeUndefined();
    expect(readCookie('cg_page=', 'cg_page')).toBeUndefined();
  });

  it('is HttpOnly and SameSite=Lax, Secure over TLS', () => {
    expect(pageCookie('h', { path: '/proxy', maxAgeMs: 60_000, secure: false })).toBe('cg_page=h; Path=/proxy; Max-Age=60; HttpOnly; SameSite=Lax');
    expect(pageCookie('h', { path: '/', maxAgeMs: 60_000, secure: true })).toMatch(/; Secure$/);
  });
});
