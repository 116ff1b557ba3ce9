import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { AccountEntryKind } from '@chatgate/contracts';
import { codexCredentialOf, CodexCredentialRefused } from '../accounts/codex-credential.js';
import { bootstrapFault } from './bootstrap-error.js';
import { bootstrapSchema, type BootstrapFile } from './bootstrap.schema.js';
import { formatPath, lineOf, type FieldPath } from './yaml-locate.js';

/** A token read from where the file points to, with the stable fingerprint stored in its place. */
export interface DeclaredToken {
  token: string;
  /** What a bare token is: a ChatGPT web login's or a Codex login's (an auth file is Codex anyway). */
  kind: AccountEntryKind;
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
  const tokens = parsed.data.tenants.map((t, ti) =>
    t.accounts.map((a, ai) => {
      const path = ['tenants', ti, 'accounts', ai];
      const declared: DeclaredToken =
        a.codex_auth_file !== undefined
          ? { ...readToken(file, opts.env, { token_file: a.codex_auth_file }, path, fault, 'codex_auth'), kind: 'codex' }
          : { ...readToken(file, opts.env, a, path, fault), kind: a.kind ?? 'chatgpt' };
      checkCodexShape(declared, a.codex_auth_file !== undefined ? 'codex_auth_file' : a.token_env !== undefined ? 'token_env' : 'token_file', fault);
      return declared;
    }),
  );
  const apiKeys = parsed.data.tenants.map((t, ti) =>
    t.api_keys.map((k, ki) => ({ ...readToken(file, opts.env, { token_env: k.key_env, token_file: k.key_file }, ['tenants', ti, 'api_keys', ki], fault, 'key'), kind: 'chatgpt' as const })),
  );
  return { file, data: parsed.data, tokens, apiKeys, fault };
}

/** A Codex credential that can never be entered (an auth file that is not one) stops the start, like any fault of the file. */
function checkCodexShape(declared: DeclaredToken, field: string, fault: (path: FieldPath, message: string) => Error): void {
  try {
    codexCredentialOf(declared.token, declared.kind);
  } catch (err) {
    if (err instanceof CodexCredentialRefused) throw fault([...declared.path, field], err.message);
    throw err;
  }
}

function readToken(
  file: string,
  env: NodeJS.ProcessEnv,
  account: { token_env?: string; token_file?: string },
  path: FieldPath,
  fault: (path: FieldPath, message: string) => Error,
  field: 'token' | 'key' | 'codex_auth' = 'token',
): Omit<DeclaredToken, 'kind'> {
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
