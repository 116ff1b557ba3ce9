/**
 * The environment services under test start with: the machine's own settings (CI may name other
 * servers through DATABASE_URL, REDIS_URL, NATS_URL), quiet logs, random ports, then the overrides.
 */
export function testEnv(overrides: Record<string, string | number | boolean | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', PORT: '0', HEALTH_PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1' };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = String(value);
  }
  return env;
}
