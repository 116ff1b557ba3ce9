// POST /v1/chat/completions and /v1/completions, streamed and not, as the platform API answers
// them: `n` choices, `tools` (a call of the chosen function), `response_format` JSON, and
// `stream_options.include_usage` exactly as OpenAI does it (`"usage":null` on every chunk, then one
// chunk with empty `choices` carrying the usage; nothing of the kind when not asked). A
// `[[sim delay=N]]` directive in the last user message spaces a stream's chunks N ms apart.
import type { ServerResponse } from 'node:http';
import { randomAlnum } from '../ids.js';
import { wordChunks } from '../chunking.js';
import { replyFor } from '../reply.js';
import { parsePrompt } from '../directives.js';
import { sendJson } from '../http.js';
import { invalid, PLATFORM_SSE_HEADERS, sseData, sseDone } from './respond.js';
import { chatPromptTokens, lastUserText, platformTokens } from './tokens.js';

type Body = Record<string, unknown>;

interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

interface Choice {
  content: string | null;
  toolCalls: ToolCall[] | null;
  finish: 'stop' | 'tool_calls';
}

function choiceCount(body: Body): number {
  if (body.n === undefined || body.n === null) return 1;
  if (typeof body.n !== 'number' || !Number.isInteger(body.n) || body.n < 1 || body.n > 128) throw invalid(`${String(body.n)} is not valid under any of the given schemas - 'n'`, 'n', 'invalid_value');
  return body.n;
}

const SAMPLE: Record<string, unknown> = { string: 'alpha', number: 1, integer: 1, boolean: true, array: [], object: {} };

/** Arguments naming every required property with a sample of its type: deterministic, and valid JSON. */
function argumentsFor(parameters: unknown): string {
  const schema = (parameters ?? {}) as { properties?: Record<string, { type?: string }>; required?: string[] };
  const args: Record<string, unknown> = {};
  for (const name of schema.required ?? []) args[name] = SAMPLE[schema.properties?.[name]?.type ?? 'string'] ?? 'alpha';
  return JSON.stringify(args);
}

/** The function the model calls, or null when it answers in text (no tools, `none`, or a tool result to read). */
function chosenTool(body: Body, messages: unknown[]): { name: string; parameters: unknown } | null {
  const tools = Array.isArray(body.tools) ? (body.tools as Array<{ type?: string; function?: { name?: string; parameters?: unknown } }>) : [];
  const functions = tools.filter((t) => t?.type === 'function' && typeof t.function?.name === 'string');
  if (!functions.length || body.tool_choice === 'none') return null;
  const last = (messages[messages.length - 1] ?? {}) as { role?: string };
  if (last.role === 'tool' && body.tool_choice !== 'required') return null;
  const named = (body.tool_choice as { function?: { name?: string } } | undefined)?.function?.name;
  const pick = (named ? functions.find((f) => f.function!.name === named) : functions[0]) ?? functions[0];
  return { name: pick.function!.name!, parameters: pick.function!.parameters };
}

function jsonMode(body: Body): boolean {
  const type = (body.response_format as { type?: string } | undefined)?.type;
  return type === 'json_object' || type === 'json_schema';
}

function choicesFor(body: Body, messages: unknown[], n: number): Choice[] {
  const prompt = lastUserText(messages);
  const tool = chosenTool(body, messages);
  return Array.from({ length: n }, (_, i) => {
    if (tool) return { content: null, toolCalls: [{ id: `call_${randomAlnum(24)}`, type: 'function' as const, function: { name: tool.name, arguments: argumentsFor(tool.parameters) } }], finish: 'tool_calls' as const };
    const text = replyFor(i === 0 ? prompt : `${prompt} #${i}`).text;
    return { content: jsonMode(body) ? JSON.stringify({ answer: text }) : text, toolCalls: null, finish: 'stop' as const };
  });
}

function completionTokens(choices: Choice[]): number {
  return choices.reduce((sum, c) => sum + platformTokens(c.content ?? '') + (c.toolCalls ?? []).reduce((s, t) => s + platformTokens(t.function.name + t.function.arguments), 0), 0);
}

function usageOf(prompt: number, completion: number) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function includeUsage(body: Body): boolean {
  return (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
}

export function chatCompletions(res: ServerResponse, body: Body, model: string): void {
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid("[] is too short - 'messages'", 'messages', 'invalid_value');
  const messages = body.messages as unknown[];
  const n = choiceCount(body);
  const choices = choicesFor(body, messages, n);
  const promptTokens = chatPromptTokens(messages);
  const id = `chatcmpl-${randomAlnum(29)}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = usageOf(promptTokens, completionTokens(choices));

  if (body.stream !== true) {
    const answer = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: choices.map((c, index) => ({
        index,
        message: { role: 'assistant', content: c.content, refusal: null, ...(c.toolCalls ? { tool_calls: c.toolCalls } : {}), annotations: [] },
        logprobs: null,
        finish_reason: c.finish,
      })),
      usage,
      service_tier: 'default',
      system_fingerprint: 'fp_sim',
    };
    // `[[sim fail=cut]]`: the connection breaks halfway through the body its length announced.
    if (parsePrompt(lastUserText(messages)).directives.fail === 'cut') return cutJson(res, answer);
    sendJson(res, 200, answer);
    return;
  }

  const withUsage = includeUsage(body);
  const events: unknown[] = [];
  const chunk = (choice: unknown) => ({ id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_sim', choices: [choice], ...(withUsage ? { usage: null } : {}) });
  choices.forEach((c, index) => {
    if (c.toolCalls) {
      const call = c.toolCalls[0];
      events.push(chunk({ index, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }], refusal: null }, logprobs: null, finish_reason: null }));
      for (const piece of wordChunks(call.function.arguments)) events.push(chunk({ index, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }));
    } else {
      events.push(chunk({ index, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }));
      for (const piece of wordChunks(c.content ?? '')) events.push(chunk({ index, delta: { content: piece }, logprobs: null, finish_reason: null }));
    }
    events.push(chunk({ index, delta: {}, logprobs: null, finish_reason: c.finish }));
  });
  if (withUsage) events.push({ id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_sim', choices: [], usage });
  res.writeHead(200, PLATFORM_SSE_HEADERS);
  emit(res, events, parsePrompt(lastUserText(messages)).directives.delay ?? 0);
}

function cutJson(res: ServerResponse, value: unknown): void {
  const payload = Buffer.from(JSON.stringify(value));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
  res.write(payload.subarray(0, payload.length >> 1), () => res.destroy());
}

/** SSE events then `[DONE]`, at once or `delayMs` apart; a client that leaves stops the rest. */
function emit(res: ServerResponse, events: unknown[], delayMs: number): void {
  if (delayMs <= 0) {
    for (const e of events) sseData(res, e);
    sseDone(res);
    return;
  }
  let next = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    if (next < events.length) return sseData(res, events[next++]);
    clearInterval(timer);
    sseDone(res);
  }, delayMs);
  res.once('close', () => clearInterval(timer));
}

export function completions(res: ServerResponse, body: Body, model: string): void {
  const prompts = typeof body.prompt === 'string' ? [body.prompt] : Array.isArray(body.prompt) && body.prompt.every((p) => typeof p === 'string') ? (body.prompt as string[]) : null;
  if (!prompts || prompts.length === 0) throw invalid('prompt must be a string or an array of strings', 'prompt');
  const n = choiceCount(body);
  const texts = prompts.flatMap((p) => Array.from({ length: n }, (_, i) => replyFor(i === 0 ? p : `${p} #${i}`).text));
  const promptTokens = prompts.reduce((s, p) => s + platformTokens(p), 0);
  const completion = texts.reduce((s, t) => s + platformTokens(t), 0);
  const usage = { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
  const id = `cmpl-${randomAlnum(29)}`;
  const created = Math.floor(Date.now() / 1000);
  if (body.stream !== true) {
    sendJson(res, 200, { id, object: 'text_completion', created, model, choices: texts.map((text, index) => ({ text, index, logprobs: null, finish_reason: 'stop' })), usage });
    return;
  }
  const withUsage = includeUsage(body);
  res.writeHead(200, PLATFORM_SSE_HEADERS);
  texts.forEach((text, index) => {
    const pieces = wordChunks(text);
    pieces.forEach((piece, i) =>
      sseData(res, { id, object: 'text_completion', created, choices: [{ text: piece, index, logprobs: null, finish_reason: i === pieces.length - 1 ? 'stop' : null }], model, ...(withUsage ? { usage: null } : {}) }),
    );
  });
  if (withUsage) sseData(res, { id, object: 'text_completion', created, choices: [], model, usage });
  sseDone(res);
}
