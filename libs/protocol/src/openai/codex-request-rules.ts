import { isObject } from './json.js';
import type { ResponsesRequestBody } from './responses-request.js';
import type { JsonObject, MessageContentPart, ResponseItem } from './responses-types.js';

/**
 * The Codex backend's body rules (reference upstream-codex.md §1.3, §1.4), all in this one table.
 * The backend is undocumented and changes: each rule is a named entry with the reason it exists, so
 * when the backend changes, one entry changes. Rules run in order on a copy of the body; each either
 * forces a value, rewrites something into the backend's form, strips a field the backend rejects
 * (reported, so the caller can emulate it: a token limit is cut locally), or refuses the request
 * (reported, for a 400 naming the field; nothing is sent).
 */

export type CodexRuleAction = 'forced' | 'rewritten' | 'stripped' | 'refused';

export interface CodexRuleOutcome {
  rule: string;
  action: CodexRuleAction;
  /** The field as OpenAI names params (`input[3].id`, `tools[0].n`). */
  param: string;
  /** Why: the rule's reason, or for a refusal the sentence the client should read. */
  reason: string;
  /** What the client had sent there (for stripped fields). */
  value?: unknown;
}

export interface CodexRequestRulesResult {
  /** The body to send (meaningful only when `refused` is empty). */
  body: ResponsesRequestBody;
  /** Every change, in rule order. */
  outcomes: CodexRuleOutcome[];
  stripped: CodexRuleOutcome[];
  /** Non-empty: answer 400 (the first one's `param` and `reason`), send nothing. */
  refused: CodexRuleOutcome[];
  /** The client's token limit (`max_output_tokens` or its chat names), for the caller to cut at. */
  maxOutputTokens?: number;
}

interface RuleActions {
  force(param: string, value: unknown): void;
  rewrite(param: string): void;
  strip(param: string, value: unknown): void;
  refuse(param: string, message: string): void;
}

export interface CodexBodyRule {
  name: string;
  reason: string;
  apply(body: ResponsesRequestBody, act: RuleActions): void;
}

/**
 * What `instructions` says when the client gave none. The backend requires the field (400
 * "Instructions are required"); whether "" passes is disputed (reference "Unknown"), so the default is
 * a neutral non-empty sentence that passes either way.
 */
export const CODEX_DEFAULT_INSTRUCTIONS = 'You are a helpful assistant.';

/** OpenAI's limit on function names; CLIProxyAPI shortens longer ones, chatgate refuses them as OpenAI does. */
const MAX_FUNCTION_NAME = 64;

export const CODEX_BODY_RULES: readonly CodexBodyRule[] = [
  {
    name: 'input-as-item-list',
    reason: 'The backend takes input as a list of typed items (all Codex sends) and rejects an empty list.',
    apply(body, act) {
      const input: unknown = body.input;
      if (typeof input === 'string') {
        body.input = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
        act.rewrite('input');
      } else if (!Array.isArray(input)) {
        body.input = [];
      }
      body.input = body.input.map((item, i) => {
        const typed = asTypedMessage(item);
        if (typed !== item) act.rewrite(`input[${i}]`);
        return typed;
      });
      if (body.input.length === 0) act.refuse('input', 'This upstream needs at least one input item.');
    },
  },
  {
    name: 'system-as-developer',
    reason: 'Input messages with role system get 400 "System messages are not allowed"; developer means the same.',
    apply(body, act) {
      body.input.forEach((item, i) => {
        if (item.type === 'message' && (item as JsonObject).role === 'system') {
          (item as JsonObject).role = 'developer';
          act.rewrite(`input[${i}].role`);
        }
      });
    },
  },
  {
    name: 'no-item-ids',
    reason: 'With store=false the backend resolves no item id ("Items are not persisted when store is set to false"); Codex serialises items without id and status.',
    apply(body, act) {
      body.input.forEach((item, i) => {
        if (item.type === 'item_reference') {
          act.refuse(`input[${i}]`, 'Item references need the stored response: chatgate could not resolve this one.');
          return;
        }
        const record = item as JsonObject;
        if ('id' in record) {
          delete record.id;
          act.rewrite(`input[${i}].id`);
        }
        if ('status' in record) delete record.status;
      });
    },
  },
  {
    name: 'reasoning-replay',
    reason: 'A reasoning item is replayed as {type, summary, encrypted_content}: without encrypted content the stateless backend has nothing to continue, and summary must be present.',
    apply(body, act) {
      body.input = body.input.filter((item, i) => {
        if (item.type !== 'reasoning') return true;
        const record = item as JsonObject;
        if (typeof record.encrypted_content !== 'string' || record.encrypted_content === '') {
          act.strip(`input[${i}]`, item);
          return false;
        }
        if (!Array.isArray(record.summary)) record.summary = [];
        return true;
      });
    },
  },
  {
    name: 'store-false',
    reason: 'store=true gets 400 "Store must be set to false"; chatgate keeps the items itself.',
    apply(body, act) {
      if (body.store !== false) act.force('store', false);
      body.store = false;
    },
  },
  {
    name: 'stream-true',
    reason: 'stream=false is rejected; a non-streaming client gets the stream gathered into one Response.',
    apply(body, act) {
      if (body.stream !== true) act.force('stream', true);
      body.stream = true;
    },
  },
  {
    name: 'instructions-present',
    reason: 'A missing instructions field gets 400 "Instructions are required".',
    apply(body, act) {
      if (typeof body.instructions !== 'string' || body.instructions.trim() === '') {
        body.instructions = CODEX_DEFAULT_INSTRUCTIONS;
        act.force('instructions', CODEX_DEFAULT_INSTRUCTIONS);
      }
    },
  },
  {
    name: 'include-encrypted-reasoning',
    reason: 'Reasoning can be continued next turn only from its encrypted content, which the backend returns only when asked.',
    apply(body, act) {
      const include = Array.isArray(body.include) ? body.include.filter((v): v is string => typeof v === 'string') : [];
      if (!include.includes('reasoning.encrypted_content')) {
        include.push('reasoning.encrypted_content');
        act.force('include', include);
      }
      body.include = include;
    },
  },
  {
    name: 'no-token-limit',
    reason: 'max_output_tokens (and the chat names max_tokens, max_completion_tokens) are rejected; the caller cuts locally.',
    apply(body, act) {
      for (const field of ['max_output_tokens', 'max_tokens', 'max_completion_tokens']) {
        if (field in body) {
          act.strip(field, body[field]);
          delete body[field];
        }
      }
    },
  },
  {
    name: 'default-sampling-only',
    reason: 'temperature and top_p are rejected; their default (1) changes nothing, any other value cannot be honoured.',
    apply(body, act) {
      for (const field of ['temperature', 'top_p']) {
        if (!(field in body)) continue;
        const value = body[field];
        if (value == null || value === 1) {
          act.strip(field, value);
          delete body[field];
        } else {
          act.refuse(field, `Unsupported value: '${field}' does not support ${JSON.stringify(value)} on this upstream. Only the default (1) value is supported.`);
        }
      }
    },
  },
  {
    name: 'no-metadata',
    reason: 'metadata gets 400 "Unsupported parameter: metadata"; chatgate keeps it with the stored response.',
    apply(body, act) {
      if ('metadata' in body) {
        act.strip('metadata', body.metadata);
        delete body.metadata;
      }
    },
  },
  {
    name: 'no-previous-response-id',
    reason: 'previous_response_id gets 400 over HTTP; the history must be expanded from chatgate\'s store before the rules run.',
    apply(body, act) {
      if (body.previous_response_id == null) delete body.previous_response_id;
      else act.refuse('previous_response_id', 'previous_response_id was not expanded from the stored response.');
    },
  },
  {
    name: 'no-server-state',
    reason: 'Conversations, stored prompts, background mode and context management need state the backend (store=false) does not keep.',
    apply(body, act) {
      const refusals: Record<string, string> = {
        conversation: 'The Conversations API is not available on this upstream: send the history, or previous_response_id.',
        prompt: 'Stored prompts are not available on this upstream: send instructions and input.',
        context_management: 'Unsupported parameter: context_management.',
      };
      for (const [field, message] of Object.entries(refusals)) {
        if (body[field] == null) delete body[field];
        else act.refuse(field, message);
      }
      if (body.background === true) act.refuse('background', 'Background responses are not available on this upstream.');
      else if ('background' in body) {
        act.strip('background', body.background);
        delete body.background;
      }
    },
  },
  {
    name: 'no-logprobs',
    reason: 'The backend returns no log probabilities.',
    apply(body, act) {
      if (!('top_logprobs' in body)) return;
      if (typeof body.top_logprobs === 'number' && body.top_logprobs > 0) act.refuse('top_logprobs', 'Log probabilities are not available on this upstream.');
      else {
        act.strip('top_logprobs', body.top_logprobs);
        delete body.top_logprobs;
      }
    },
  },
  {
    name: 'peer-stripped-fields',
    reason: 'Fields peers strip before this backend (CLIProxyAPI, new-api); none changes what the model writes.',
    apply(body, act) {
      for (const field of ['truncation', 'user', 'prompt_cache_retention', 'prompt_cache_options', 'safety_identifier', 'stream_options', 'frequency_penalty', 'presence_penalty']) {
        if (field in body) {
          act.strip(field, body[field]);
          delete body[field];
        }
      }
    },
  },
  {
    name: 'service-tier',
    reason: 'Only the priority tier ("priority", Codex\'s "fast") means something to the backend; others are stripped.',
    apply(body, act) {
      if (!('service_tier' in body)) return;
      if (body.service_tier === 'priority' || body.service_tier === 'fast') return;
      act.strip('service_tier', body.service_tier);
      delete body.service_tier;
    },
  },
  {
    name: 'web-search-tool-name',
    reason: 'The backend knows the web search tool as web_search, not web_search_preview.',
    apply(body, act) {
      toolsOf(body).forEach((tool, i) => {
        if (typeof tool.type === 'string' && tool.type.startsWith('web_search_preview')) {
          tool.type = 'web_search';
          act.rewrite(`tools[${i}].type`);
        }
      });
    },
  },
  {
    name: 'image-generation-n',
    reason: 'The image_generation tool rejects n ("Unknown parameter: \'tools[0].n\'").',
    apply(body, act) {
      toolsOf(body).forEach((tool, i) => {
        if (tool.type === 'image_generation' && 'n' in tool) {
          act.strip(`tools[${i}].n`, tool.n);
          delete tool.n;
        }
      });
    },
  },
  {
    name: 'function-name-length',
    reason: `Function names longer than ${MAX_FUNCTION_NAME} characters are refused by OpenAI's API; refused here the same way rather than renamed.`,
    apply(body, act) {
      toolsOf(body).forEach((tool, i) => {
        if (tool.type === 'function' && typeof tool.name === 'string' && tool.name.length > MAX_FUNCTION_NAME) {
          act.refuse(`tools[${i}].name`, `Invalid 'tools[${i}].name': string too long. Expected a string with maximum length ${MAX_FUNCTION_NAME}.`);
        }
      });
    },
  },
];

/** Applies every rule in `CODEX_BODY_RULES` to a copy of `request` (the original is not changed). */
export function codexRequestRules(request: JsonObject, rules: readonly CodexBodyRule[] = CODEX_BODY_RULES): CodexRequestRulesResult {
  const body = structuredClone(request) as ResponsesRequestBody;
  const outcomes: CodexRuleOutcome[] = [];
  for (const rule of rules) {
    const record = (action: CodexRuleAction, param: string, reason: string, value?: unknown) =>
      outcomes.push({ rule: rule.name, action, param, reason, ...(value === undefined ? {} : { value }) });
    rule.apply(body, {
      force: (param, value) => record('forced', param, rule.reason, value),
      rewrite: (param) => record('rewritten', param, rule.reason),
      strip: (param, value) => {
        // A field sent as null loses nothing: removed without a report.
        if (value != null) record('stripped', param, rule.reason, value);
      },
      refuse: (param, message) => record('refused', param, message),
    });
  }
  const stripped = outcomes.filter((o) => o.action === 'stripped');
  const limit = stripped.find((o) => o.rule === 'no-token-limit' && typeof o.value === 'number')?.value as number | undefined;
  return { body, outcomes, stripped, refused: outcomes.filter((o) => o.action === 'refused'), ...(limit === undefined ? {} : { maxOutputTokens: limit }) };
}

function toolsOf(body: ResponsesRequestBody): JsonObject[] {
  return Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
}

/**
 * An SDK "easy input message" (`{role, content}`, content possibly a string) in the typed form Codex
 * sends: `{type: 'message', role, content: [parts]}`. Anything else is returned as it is.
 */
function asTypedMessage(item: unknown): ResponseItem {
  if (!isObject(item)) return item as ResponseItem;
  if (item.type !== undefined && item.type !== 'message') return item as ResponseItem;
  if (item.type === 'message' && Array.isArray(item.content)) return item as ResponseItem;
  const role = item.role;
  const content: MessageContentPart[] =
    typeof item.content === 'string'
      ? [role === 'assistant' ? { type: 'output_text', text: item.content, annotations: [] } : { type: 'input_text', text: item.content }]
      : Array.isArray(item.content)
        ? (item.content as MessageContentPart[])
        : [];
  return { ...item, type: 'message', content } as ResponseItem;
}
