import { z } from 'zod';
import { accountEntryKindSchema, apiKeyFieldsSchema, budgetPeriodSchema, chatgptListSchema, modelRoutesSchema, userNameSchema, userStatusSchema, wireLimitsSchema } from '@chatgate/contracts';
import { hashSecret, KEY_PREFIXES } from '../keys/key-secret.js';

/** Fields that would hold a token in the file itself: refused with a message saying where tokens go. */
const LITERAL_TOKEN_FIELDS = new Set(['token', 'access_token', 'refresh_token', 'session_token', 'accessToken', 'refreshToken', 'sessionToken']);
const LITERAL_KEY_FIELDS = new Set(['key', 'api_key', 'apiKey']);

/**
 * An object that names each unknown field (a typo such as `limts` must stop the service, not be
 * ignored): the issue's path ends at the field, so the error points at its line.
 */
function closed<S extends z.ZodRawShape>(shape: S) {
  return z.looseObject(shape).superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (key in shape) continue;
      const message = LITERAL_TOKEN_FIELDS.has(key)
        ? 'tokens are never written in the bootstrap file: use token_env (an environment variable) or token_file (a path)'
        : LITERAL_KEY_FIELDS.has(key)
          ? 'keys are never written in the bootstrap file: use key_env (an environment variable) or key_file (a path)'
          : 'unknown field';
      ctx.addIssue({ code: 'custom', path: [key], message });
    }
  });
}

const isoTime = z.iso.datetime({ offset: true });

export interface BootstrapSchemaOptions {
  /** Plain key values are accepted only in development and test: elsewhere the file would hold a live secret. */
  allowPlainKeys: boolean;
}

export function bootstrapSchema(opts: BootstrapSchemaOptions) {
  const key = closed({
    name: z.string().max(100).optional(),
    /** `sha256:<hex>` of the key as the client will send it. */
    hash: z
      .string()
      .regex(/^sha256:[0-9a-fA-F]{64}$/, 'must be sha256:<64 hex digits> (the sha256 of the key)')
      .optional(),
    plain: z
      .string()
      .startsWith(KEY_PREFIXES.user, `must start with ${KEY_PREFIXES.user} (the prefix the gateway recognises user keys by)`)
      .min(KEY_PREFIXES.user.length + 16, 'too short: at least 16 characters after the prefix')
      .optional(),
    expires_at: isoTime.nullable().optional(),
  }).superRefine((k, ctx) => {
    if ((k.hash === undefined) === (k.plain === undefined)) ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of hash or plain' });
    if (k.plain !== undefined && !opts.allowPlainKeys) ctx.addIssue({ code: 'custom', path: ['plain'], message: 'plain keys are accepted only when NODE_ENV is development or test; give hash: sha256:<hex>' });
  });

  const user = closed({
    name: userNameSchema,
    status: userStatusSchema.optional(),
    expires_at: isoTime.nullable().optional(),
    isolated_session: z.boolean().optional(),
    limits: wireLimitsSchema.optional(),
    chatgpt_list: chatgptListSchema.optional(),
    /** `{amount_usd, period: day|month|none}`; null removes a budget set earlier. */
    budget: closed({ amount_usd: z.number().nonnegative().max(1_000_000_000), period: budgetPeriodSchema }).nullable().optional(),
    keys: z.array(key).default([]),
  });

  const account = closed({
    /** Name of an environment variable holding the token (access, refresh or session). */
    token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    /** Path of a file holding the token; relative paths are taken from the bootstrap file's folder. */
    token_file: z.string().min(1).optional(),
    /** Path of a `codex login` auth file (`~/.codex/auth.json`): a Codex login. */
    codex_auth_file: z.string().min(1).optional(),
    /** What the token of token_env / token_file is: `chatgpt` (a web login, default) or `codex` (a Codex login's refresh or access token). */
    kind: accountEntryKindSchema.optional(),
  }).superRefine((a, ctx) => {
    const given = [a.token_env, a.token_file, a.codex_auth_file].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of token_env, token_file or codex_auth_file' });
    if (a.codex_auth_file !== undefined && a.kind === 'chatgpt') ctx.addIssue({ code: 'custom', path: ['kind'], message: 'an auth file is a Codex login: leave kind out or say codex' });
  });

  // An API key by reference only, like tokens: key_env or key_file, never the key.
  const apiKey = closed({
    ...apiKeyFieldsSchema.shape,
    key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    key_file: z.string().min(1).optional(),
  }).superRefine((a, ctx) => {
    if ((a.key_env === undefined) === (a.key_file === undefined)) ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of key_env or key_file' });
  });

  const tenant = closed({
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (at most 63)'),
    name: z.string().trim().min(1).max(200).optional(),
    accounts: z.array(account).default([]),
    /** API keys for the platform API (OpenAI, Azure OpenAI or any OpenAI-compatible server). */
    api_keys: z.array(apiKey).default([]),
    /** The model routing table; absent keeps the stored one, null goes back to the default. */
    model_routes: modelRoutesSchema.nullable().optional(),
    users: z.array(user).default([]),
  }).superRefine((t, ctx) => {
    duplicates(t.users.map((u) => u.name), (i) => ctx.addIssue({ code: 'custom', path: ['users', i, 'name'], message: 'duplicate user name in this tenant' }));
  });

  return closed({ tenants: z.array(tenant).default([]) }).superRefine((file, ctx) => {
    duplicates(file.tenants.map((t) => t.slug), (i) => ctx.addIssue({ code: 'custom', path: ['tenants', i, 'slug'], message: 'duplicate tenant slug' }));
    // One key hash, one owner: the same key under two users would make one of them win at random.
    const hashes: Array<{ hash: string; path: (string | number)[] }> = [];
    file.tenants.forEach((t, ti) =>
      t.users.forEach((u, ui) =>
        u.keys.forEach((k, ki) => {
          const field = k.hash !== undefined ? 'hash' : 'plain';
          hashes.push({ hash: keyHashOf(k), path: ['tenants', ti, 'users', ui, 'keys', ki, field] });
        }),
      ),
    );
    duplicates(hashes.map((h) => h.hash), (i) => ctx.addIssue({ code: 'custom', path: hashes[i].path, message: 'the same key is declared twice' }));
  });
}

export type BootstrapFile = z.infer<ReturnType<typeof bootstrapSchema>>;
export type BootstrapTenant = BootstrapFile['tenants'][number];
export type BootstrapUser = BootstrapTenant['users'][number];
export type BootstrapKey = BootstrapUser['keys'][number];

/** The stored form of a declared key: lowercase hex sha256, as KeysService stores issued keys. */
export function keyHashOf(k: { hash?: string; plain?: string }): string {
  if (k.hash !== undefined) return k.hash.slice('sha256:'.length).toLowerCase();
  return hashSecret(k.plain ?? '');
}

function duplicates(values: string[], report: (index: number) => void): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) report(i);
    seen.add(v);
  });
}
