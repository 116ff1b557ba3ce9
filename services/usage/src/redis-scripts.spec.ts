import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { testEnv } from '@chatgate/testing';
import { RedisScripts } from './redis-scripts.js';

const ECHO = "return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}";

/** Against a real Redis: a script is loaded once, and again once a restart (SCRIPT FLUSH here) forgot it. */
describe('RedisScripts', () => {
  let redis: Redis;
  const key = `chatgate:test:scripts:{${process.pid}}:${Date.now()}`;
  beforeAll(() => {
    redis = new Redis(testEnv().REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis?.del(key);
    redis?.disconnect();
  });

  it('loads a script once, runs it by its sha, and loads it again after Redis forgot it', async () => {
    const scripts = new RedisScripts(redis);
    const load = jest.spyOn(redis, 'script');
    expect(await scripts.run(ECHO, [key], ['a'])).toEqual([key, 'a', 1]);
    expect(await scripts.run(ECHO, [key], ['b'])).toEqual([key, 'b', 2]);
    expect(load).toHaveBeenCalledTimes(1);
    await redis.call('SCRIPT', 'FLUSH');
    expect(await scripts.run(ECHO, [key], ['c'])).toEqual([key, 'c', 3]);
    expect(load).toHaveBeenCalledTimes(2);
    load.mockRestore();
  });

  it('passes on any other error of the script', async () => {
    const scripts = new RedisScripts(redis);
    await expect(scripts.run("return redis.error_reply('BROKEN here')", [key], [])).rejects.toThrow('BROKEN here');
  });
});
