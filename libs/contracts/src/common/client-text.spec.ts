import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { createKeyBodySchema } from '../admin/key.schemas.js';
import { createTenantBodySchema } from '../admin/tenant.schemas.js';
import { createUserBodySchema } from '../admin/user.schemas.js';
import { usageEventSchema } from '../usage/usage-event.schema.js';
import { usageQuerySchema } from '../usage/usage-query.schema.js';
import { MODEL_NAME_MAX, modelNameSchema, ONE_LINE_MESSAGE, oneLine, text, TEXT_NUL_MESSAGE, UNPAIRED_SURROGATE_MESSAGE } from './client-text.js';

const firstIssue = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`accepted ${JSON.stringify(value)}`);
  return { path: result.error.issues[0].path.join('.'), message: result.error.issues[0].message };
};

describe('client strings', () => {
  it('refuses every C0 and C1 control character, DEL and unpaired surrogates in one-line values', () => {
    const line = oneLine(z.string());
    const controls = [...Array.from({ length: 0x20 }, (_, i) => i), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i)];
    for (const code of controls) expect(firstIssue(line, `gpt-4o${String.fromCharCode(code)}`).message).toBe(ONE_LINE_MESSAGE);
    for (const lone of ['\uD800', 'a\uDC00b', '\uDBFFx', 'x\uDFFF']) expect(firstIssue(line, lone).message).toBe(UNPAIRED_SURROGATE_MESSAGE);
    // Anything else is a name someone may mean: accents, CJK, emoji (a surrogate pair), spaces.
    for (const fine of ['gpt-4o', 'ft:gpt-4o-mini:acme::abc123', 'Zoë Müller', '张伟', 'team 🚀', 'a b']) expect(line.parse(fine)).toBe(fine);
  });

  it('lets text keep line breaks, tabs and escape sequences, but never NUL or an unpaired surrogate', () => {
    const body = text(z.string());
    expect(body.parse('line one\nline two\r\n\ttabbed \u001b[31mred\u001b[0m')).toContain('\u001b[31m');
    expect(firstIssue(body, 'before\u0000after').message).toBe(TEXT_NUL_MESSAGE);
    expect(firstIssue(body, 'half \uD83D pair').message).toBe(UNPAIRED_SURROGATE_MESSAGE);
  });

  it('bounds a model name and keeps the rules when schemas add their own', () => {
    expect(modelNameSchema.parse('a'.repeat(MODEL_NAME_MAX))).toHaveLength(MODEL_NAME_MAX);
    expect(modelNameSchema.safeParse('a'.repeat(MODEL_NAME_MAX + 1)).success).toBe(false);
    expect(modelNameSchema.safeParse('').success).toBe(false);
    // A trimmed name is checked as trimmed, and a control character inside it still fails.
    const trimmed = oneLine(z.string().trim().min(1).max(5));
    expect(trimmed.parse('  abc  ')).toBe('abc');
    expect(firstIssue(trimmed, ' a\u0000 ').message).toBe(ONE_LINE_MESSAGE);
  });

  it('is what the admin inputs and the admin usage filters use, naming the field', () => {
    expect(firstIssue(createUserBodySchema, { name: 'eve\u0000' })).toEqual({ path: 'name', message: ONE_LINE_MESSAGE });
    expect(firstIssue(createUserBodySchema, { name: 'eve', limits: [{ model_name: 'o1\n', every_minute: 1, limit_count: 1 }] }).path).toBe('limits.0.model_name');
    expect(firstIssue(createUserBodySchema, { name: 'eve', chatgpt_list: ['a@b.c\r\n'] }).path).toBe('chatgpt_list');
    expect(firstIssue(createKeyBodySchema, { user: 'eve', name: 'laptop\u001b[2J' }).path).toBe('name');
    expect(firstIssue(createTenantBodySchema, { slug: 'acme', name: 'Acme\u0085' }).path).toBe('name');
    expect(firstIssue(usageQuerySchema, { model: 'gpt-4o\u0000' }).path).toBe('model');
    expect(firstIssue(usageQuerySchema, { user: 'x'.repeat(201) }).path).toBe('user');
  });

  it('lets the usage consumer take only events every column of which Postgres can store', () => {
    const event = { requestId: 'r1', tenantId: 't', userId: null, userName: 'ann\tlee', credentialId: 'c', accountId: null, accountLabel: null, model: 'gpt-4o', kind: 'chat', promptTokens: 1, completionTokens: 1, estimated: false, outcome: 'ok', status: 200, latencyMs: 1, at: 1 };
    // A tab from an older name is stored as it is; a NUL or a lone surrogate could not be.
    expect(usageEventSchema.parse(event).userName).toBe('ann\tlee');
    expect(firstIssue(usageEventSchema, { ...event, model: 'gpt-4o\u0000' })).toEqual({ path: 'model', message: TEXT_NUL_MESSAGE });
    expect(firstIssue(usageEventSchema, { ...event, accountLabel: 'x\uDC00' }).path).toBe('accountLabel');
  });
});
