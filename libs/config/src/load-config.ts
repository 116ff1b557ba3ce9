import type { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/**
 * Parses the environment once at boot. Nothing else in a service reads `process.env`:
 * the result is handed to the module tree as a provider.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // Empty strings count as unset, as docker-compose writes `VAR=` for blank values.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return result.data;
}

/** Boot-time helper: parse or print one clear line and exit. */
export function loadConfigOrExit<S extends z.ZodType>(service: string, schema: S): z.infer<S> {
  try {
    return parseConfig(schema);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`chatgate-${service}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * The environment for variables whose names come from a file rather than the schema (the auth
 * bootstrap file's `token_env` entries): the one sanctioned read outside parseConfig.
 */
export function namedEnv(): NodeJS.ProcessEnv {
  return process.env;
}
