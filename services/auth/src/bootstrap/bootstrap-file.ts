import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { bootstrapFault } from './bootstrap-error.js';
import { bootstrapSchema, type BootstrapFile } from './bootstrap.schema.js';
import { formatPath, lineOf, type FieldPath } from './yaml-locate.js';

/** A token read from where the file points to, with the stable fingerprint stored in its place. */
export interface DeclaredToken {
  token: string;
  /** sha256 of the token: re-applying the file recognises a token already entered without keeping it. */
  fingerprint: string;
  /** The account entry, for messages: `tenants[0].accounts[1]`. */
  path: FieldPath;
}

/** A validated file with its tokens read: everything the apply step needs, and how to point at a line. */
export interface BootstrapPlan {
  file: string;
  data: BootstrapFile;
  /** Per tenant, per declared account, in file order. */
  tokens: DeclaredToken[][];
  /** Per tenant, per declared API key (`key` read from key_env or key_file), in file order. */
  apiKeys: DeclaredToken[][];
  /** The ConfigError for a fault found later (an unknown account in chatgpt_list, a key owned elsewhere). */
  fault(path: FieldPath, message: string): Error;
}

export interface LoadOptions {
  nodeEnv: 'development' | 'production' | 'test';
  /** Where token_env names are looked up: the process environment at start. */
  env: NodeJS.ProcessEnv;
}

/** Reads, parses and validates the file, and reads the tokens it points to; any fault is one ConfigError line. */
export function loadBootstrapFile(file: string, opts: LoadOptions): BootstrapPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw bootstrapFault(file, null, null, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    // The first line only: the rest is an excerpt of the file, which may hold anything.
    const message = syntax.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw bootstrapFault(file, syntax.linePos?.[0].line ?? null, null, `YAML syntax: ${message}`);
  }
  const fault = (path: FieldPath, message: string) => bootstrapFault(file, lineOf(doc, counter, path), formatPath(path), message);
  const parsed = bootstrapSchema({ allowPlainKeys: opts.nodeEnv !== 'production' }).safeParse(doc.toJS({ maxAliasCount: 100 }) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fault(issue.path, issue.message);
  }
  const tokens = parsed.data.tenants.map((t, ti) => t.accounts.map((a, ai) => readToken(file, opts.env, a, ['tenants', ti, 'accounts', ai], fault)));
  const apiKeys = parsed.data.tenants.map((t, ti) =>
    t.api_keys.map((k, ki) => readToken(file, opts.env, { token_env: k.key_env, token_file: k.key_file }, ['tenants', ti, 'api_keys', ki], fault, 'key')),
  );
  return { file, data: parsed.data, tokens, apiKeys, fault };
}

function readToken(
  file: string,
  env: NodeJS.ProcessEnv,
  account: { token_env?: string; token_file?: string },
  path: FieldPath,
  fault: (path: FieldPath, message: string) => Error,
  field: 'token' | 'key' = 'token',
): DeclaredToken {
  let token: string;
  if (account.token_env !== undefined) {
    token = (env[account.token_env] ?? '').trim();
    if (!token) throw fault([...path, `${field}_env`], `the environment variable ${account.token_env} is not set or empty`);
  } else {
    const target = resolve(dirname(file), account.token_file ?? '');
    try {
      token = readFileSync(target, 'utf8').trim();
    } catch (err) {
      throw fault([...path, `${field}_file`], `${target} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!token) throw fault([...path, `${field}_file`], `${target} is empty`);
  }
  return { token, fingerprint: createHash('sha256').update(token).digest('hex'), path };
}
