// The deterministic turn of a Responses backend: from the conversation (history and this
// request's input) and the body, which output items the simulated model produces, their streamed
// pieces and the usage. Shared by the Codex backend and the platform's /v1/responses.
//
//  - the last item is a `compaction_trigger` (Codex compaction v2): exactly one compaction item;
//  - function (or custom) tools present, the last item a user message, and no `tool_choice: none`
//    or `[[sim call=none]]`: a call of the first tool (or the `tool_choice` one, or the ones
//    `[[sim call=a,b]]` names; one only with `parallel_tool_calls: false`), arguments from
//    `[[sim args=…]]` or an instance of the tool's parameters schema seeded by the prompt;
//  - the last item a tool output (and no `tool_choice: required`): `The tool <name> returned: <output>`;
//  - otherwise the prompt's reply (replyFor), plus a note per image or file of the last user
//    message; for `text.format` json_schema an instance of the schema, for json_object `{"answer": …}`;
//  - reasoning (`reasoning` in the body with an effort other than none, a reasoning model, or
//    `[[sim reasoning=1]]`) comes first, its summary only when `reasoning.summary` asks for one,
//    its `encrypted_content` only when `include` has `reasoning.encrypted_content`.
import { randomBytes } from 'node:crypto';
import { splitChunks, wordChunks } from '../chunking.js';
import type { Directives } from '../directives.js';
import { randomAlnum } from '../ids.js';
import { platformTokens } from '../platform/tokens.js';
import { modelReasons, planReply, reasoningText } from '../reply.js';
import { badRequest } from './errors.js';
import { callFor, isObject, lastUserMessage, outputText, partsOf, responsesInputTokens, userText, type Item } from './items.js';
import { fileNote, imageNote } from './media.js';
import { schemaInstance } from './schema-instance.js';
import type { Sealer } from './seal.js';

export interface Usage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type PlannedItem =
  | { type: 'reasoning'; item: Item; summary: string[][] }
  | { type: 'message'; item: Item; chunks: string[] }
  | { type: 'function_call'; item: Item; chunks: string[] }
  | { type: 'custom_tool_call'; item: Item; chunks: string[] }
  | { type: 'compaction'; item: Item };

export interface PlannedTurn {
  items: PlannedItem[];
  usage: Usage;
  status: 'completed' | 'incomplete';
  incompleteReason: 'max_output_tokens' | null;
  directives: Directives;
}

export interface PlanInput {
  body: Record<string, unknown>;
  /** The whole conversation: stored history, then this request's input (normalised). */
  items: Item[];
  model: string;
  sealer: Sealer;
  /** Input tokens the backend has cached (a stored history, a prompt_cache_key seen before). */
  cachedTokens: number;
}

export function itemId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

interface Tool {
  type: 'function' | 'custom';
  name: string;
  parameters: unknown;
}

function toolsOf(body: Record<string, unknown>): Tool[] {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  return tools
    .filter((t) => (t.type === 'function' || t.type === 'custom') && typeof t.name === 'string')
    .map((t) => ({ type: t.type as Tool['type'], name: t.name as string, parameters: t.parameters }));
}

/** The tools this turn calls; empty when it answers in text. */
function chosenTools(body: Record<string, unknown>, last: Item | undefined, d: Directives): Tool[] {
  const tools = toolsOf(body);
  if (!tools.length || body.tool_choice === 'none' || d.call?.includes('none')) return [];
  // A tool output is answered in text (a [[sim call]] in the prompt would otherwise loop for ever).
  const answersOutput = last?.type === 'function_call_output' || last?.type === 'custom_tool_call_output';
  if (answersOutput && body.tool_choice !== 'required') return [];
  if (!answersOutput && !(last?.type === 'message' && last.role === 'user')) return [];
  const forced = isObject(body.tool_choice) && typeof body.tool_choice.name === 'string' ? body.tool_choice.name : undefined;
  const names = d.call ?? (forced ? [forced] : [tools[0].name]);
  const picked = names.map((name) => tools.find((t) => t.name === name)).filter((t): t is Tool => t !== undefined);
  const calls = picked.length ? picked : [tools[0]];
  return body.parallel_tool_calls === false ? calls.slice(0, 1) : calls;
}

function argumentsFor(tool: Tool, d: Directives, seed: string): string {
  if (d.args !== undefined) return d.args;
  if (tool.type === 'custom') return seed;
  return JSON.stringify(schemaInstance(tool.parameters ?? { type: 'object', properties: {} }, seed));
}

function mediaNotes(message: Item | undefined): string[] {
  if (!message) return [];
  const notes: string[] = [];
  let images = 0;
  let files = 0;
  for (const part of partsOf(message)) {
    if (part.type === 'input_image') notes.push(imageNote(++images, part));
    if (part.type === 'input_file') notes.push(fileNote(++files, part));
  }
  return notes;
}

function textFormat(body: Record<string, unknown>): Record<string, unknown> | null {
  const text = isObject(body.text) ? body.text : null;
  return text && isObject(text.format) ? text.format : null;
}

function answerText(body: Record<string, unknown>, base: string, seed: string): string {
  const format = textFormat(body);
  if (format?.type === 'json_schema') {
    if (format.schema === undefined) throw badRequest("Missing required parameter: 'text.format.schema'.", 'text.format.schema', 'missing_required_parameter');
    return JSON.stringify(schemaInstance(format.schema, seed));
  }
  if (format?.type === 'json_object') return JSON.stringify({ answer: base });
  return base;
}

function argumentChunks(text: string): string[] {
  const count = Math.min(4, Array.from(text).length);
  return count === 0 ? [] : splitChunks(text, count);
}

function includesEncrypted(body: Record<string, unknown>): boolean {
  return Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content');
}

interface ReasoningPlan {
  reasons: boolean;
  summary: boolean;
}

function reasoningPlan(body: Record<string, unknown>, model: string, d: Directives): ReasoningPlan {
  const param = isObject(body.reasoning) ? body.reasoning : null;
  const reasons = d.reasoning ?? (param ? param.effort !== 'none' : modelReasons(model));
  const summary = reasons && typeof param?.summary === 'string' && param.summary !== 'none';
  return { reasons, summary };
}

export function planTurn(input: PlanInput): PlannedTurn {
  const { body, items, model, sealer } = input;
  const last = items[items.length - 1];
  const userMessage = lastUserMessage(items);
  const prompt = userText(userMessage);
  const reply = planReply(prompt, model);
  const d = reply.directives;
  const seed = reply.stripped;
  const planned: PlannedItem[] = [];
  let outputTokens = 0;
  let reasoningTokens = 0;

  if (last?.type === 'compaction_trigger') {
    const summary = items.filter((i) => i.type === 'message' && i.role === 'user').map((i) => userText(i)).join('\n');
    planned.push({ type: 'compaction', item: { id: itemId('cmp'), type: 'compaction', encrypted_content: sealer.seal('compaction', { summary, items: items.length - 1 }) } });
    outputTokens = platformTokens(summary);
  } else {
    const tools = chosenTools(body, last, d);
    const answersOutput = tools.length === 0 && (last?.type === 'function_call_output' || last?.type === 'custom_tool_call_output');
    const format = textFormat(body);
    const intent = tools.length
      ? `I will call ${tools.map((t) => t.name).join(' and ')}.`
      : answersOutput
        ? 'The tool answered; I will report what it returned.'
        : format?.type === 'json_schema'
          ? `I will answer with JSON matching the schema ${String(format.name ?? '')}.`
          : 'I will answer in text.';

    const reasoning = reasoningPlan(body, model, d);
    if (reasoning.reasons) {
      const parts = [`**Reading the request**\n\n${reasoningText(seed, d.words)}`, `**Planning the answer**\n\n${intent}`];
      const full = parts.join('\n\n');
      reasoningTokens = platformTokens(full);
      const summary = reasoning.summary ? parts : [];
      planned.push({
        type: 'reasoning',
        item: {
          id: itemId('rs'),
          type: 'reasoning',
          summary: summary.map((text) => ({ type: 'summary_text', text })),
          ...(includesEncrypted(body) ? { encrypted_content: sealer.seal('reasoning', { text: full, model }) } : {}),
        },
        summary: summary.map((text) => wordChunks(text)),
      });
    }

    if (tools.length) {
      for (const tool of tools) {
        const args = argumentsFor(tool, d, seed);
        outputTokens += platformTokens(tool.name + args);
        const callId = `call_${randomAlnum(24)}`;
        planned.push(
          tool.type === 'function'
            ? { type: 'function_call', item: { id: itemId('fc'), type: 'function_call', status: 'completed', arguments: args, call_id: callId, name: tool.name }, chunks: argumentChunks(args) }
            : { type: 'custom_tool_call', item: { id: itemId('ctc'), type: 'custom_tool_call', status: 'completed', call_id: callId, name: tool.name, input: args }, chunks: argumentChunks(args) },
        );
      }
    } else {
      let text: string;
      if (answersOutput) {
        const name = String(callFor(items, last)?.name ?? last.call_id);
        const notes = Array.isArray(last.output) ? mediaNotes({ type: 'message', role: 'user', content: last.output }) : [];
        text = [`The tool ${name} returned: ${outputText(last.output)}`, ...notes].join(' ');
      } else {
        text = answerText(body, [reply.text, ...mediaNotes(userMessage)].join(' '), seed);
      }
      outputTokens += platformTokens(text);
      planned.push({ type: 'message', item: messageItem(text), chunks: splitChunks(text, d.chunks) });
    }
  }

  const turn: PlannedTurn = { items: planned, usage: usage(0, 0, 0, 0), status: 'completed', incompleteReason: null, directives: d };
  const max = typeof body.max_output_tokens === 'number' ? body.max_output_tokens : undefined;
  if (max !== undefined && outputTokens + reasoningTokens > max) {
    outputTokens = truncateMessage(turn, Math.max(0, max - reasoningTokens), outputTokens);
    turn.status = 'incomplete';
    turn.incompleteReason = 'max_output_tokens';
  }
  const inputTokens = responsesInputTokens(items, body.instructions);
  const cached = Math.min(d.cached ?? input.cachedTokens, inputTokens);
  turn.usage = usage(inputTokens, cached, outputTokens + reasoningTokens, reasoningTokens);
  return turn;
}

export function messageItem(text: string): Item {
  return { id: itemId('msg'), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text }] };
}

/** Cuts the answer text to `allowed` tokens (4 characters each); an answer cut to nothing is dropped. Returns the output tokens left. */
function truncateMessage(turn: PlannedTurn, allowed: number, outputTokens: number): number {
  const index = turn.items.findIndex((p) => p.type === 'message');
  if (index < 0) return outputTokens;
  const message = turn.items[index] as Extract<PlannedItem, { type: 'message' }>;
  const full = String(((message.item.content as Item[])[0]).text);
  const others = outputTokens - platformTokens(full);
  const text = Array.from(full).slice(0, Math.max(0, allowed - others) * 4).join('');
  if (text === '') turn.items.splice(index, 1);
  else turn.items[index] = { type: 'message', item: { ...messageItem(text), id: message.item.id, status: 'incomplete' }, chunks: splitChunks(text, turn.directives.chunks) };
  return others + platformTokens(text);
}

function usage(input: number, cached: number, output: number, reasoning: number): Usage {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

/** The final output items of a planned turn. */
export function outputOf(turn: PlannedTurn): Item[] {
  return turn.items.map((p) => p.item);
}
