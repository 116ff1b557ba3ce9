import type { Redis } from 'ioredis';

/**
 * Lua scripts run by EVALSHA: each loaded once on first use, and loaded again once when Redis answers
 * NOSCRIPT (a restart, or SCRIPT FLUSH, forgot it). Limits, rates and budgets share this.
 */
export class RedisScripts {
  private readonly shas = new Map<string, string>();

  constructor(private readonly redis: Redis) {}

  async run(script: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await this.redis.evalsha(await this.sha(script), keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      this.shas.delete(script);
      return this.redis.evalsha(await this.sha(script), keys.length, ...keys, ...args);
    }
  }

  private async sha(script: string): Promise<string> {
    let sha = this.shas.get(script);
    if (!sha) {
      sha = (await this.redis.script('LOAD', script)) as string;
      this.shas.set(script, sha);
    }
    return sha;
  }
}
