// What ChatGPT streams besides text, as `[[sim tool=...]]` turns: code and its output, a web
// search with quotes and citations, image generation (progress, then the image), a file written
// by the code interpreter. Each is a list of messages both encoders write in their own way,
// followed by an answer whose pieces may grow the answer's metadata (citations).
import type { MessageFields } from './encoders/messages.js';
import type { GeneratedFile } from './files.js';

export const TOOL_SCENARIOS = ['code', 'browse', 'image', 'image_async', 'dalle', 'sandbox'] as const;
export type ToolScenario = (typeof TOOL_SCENARIOS)[number];

export function isToolScenario(value: string): value is ToolScenario {
  return (TOOL_SCENARIOS as readonly string[]).includes(value);
}

/** One message before the answer. */
export interface ScenarioMessage {
  /** As first written (status in_progress unless it arrives finished). */
  fields: MessageFields;
  /** Streamed into `content.text`, piece by piece. */
  textPieces?: string[];
  /** Merged into the metadata one step at a time while in progress (image generation progress). */
  progress?: Record<string, unknown>[];
  /** When present the message is then finished: these parts appended, this metadata merged. */
  close?: { parts?: unknown[]; metadata?: Record<string, unknown> };
}

export interface Scenario {
  messages: ScenarioMessage[];
  /** The answer's pieces, and metadata merged into the answer when piece i is sent. */
  answer: string[];
  answerMetadata: Map<number, Record<string, unknown>>;
  /** Files the turn made, for the download endpoints. */
  files: Omit<GeneratedFile, 'accountId' | 'conversationId'>[];
  /** A message that lands in the saved conversation after the stream (an asynchronous image), with its files. */
  late?: { fields: MessageFields; afterMs: number; files: Omit<GeneratedFile, 'accountId' | 'conversationId'>[] };
}

export interface ScenarioIds {
  answerId: string;
  modelSlug: string;
  /** Fresh ids (uuid) for the messages. */
  newId(): string;
  /** The turn reasons: a thinking model runs its tools inside its reasoning (the analysis channel). */
  reasoning: boolean;
}

const TIDES = { title: 'Tides explained', url: 'https://tides.example/explained' };
const MOON = { title: 'Moon facts', url: 'https://moon.example/facts' };
const FIRST_MARKER = '【0†source】';
const CITE_MARKER = '\ue200cite\ue202turn0search0\ue202turn0search1\ue201';

const assistantCode = (id: string, recipient: string, language: string, text: string, slug: string, finished: boolean): MessageFields => ({
  id,
  role: 'assistant',
  content: { content_type: 'code', language, response_format_name: null, text },
  status: finished ? 'finished_successfully' : 'in_progress',
  endTurn: finished ? false : null,
  recipient,
  channel: 'commentary',
  metadata: { model_slug: slug },
});

const toolMessage = (id: string, name: string, content: Record<string, unknown>, metadata: Record<string, unknown>, finished: boolean): MessageFields => ({
  id,
  role: 'tool',
  name,
  content,
  status: finished ? 'finished_successfully' : 'in_progress',
  endTurn: null,
  channel: 'commentary',
  metadata,
});

const hex = (id: string) => id.replace(/-/g, '').slice(0, 24);

export function scenarioFor(tool: ToolScenario, ids: ScenarioIds): Scenario {
  const scenario = build(tool, ids);
  if (ids.reasoning) for (const m of scenario.messages) m.fields.channel = 'analysis';
  return scenario;
}

function build(tool: ToolScenario, ids: ScenarioIds): Scenario {
  const slug = ids.modelSlug;
  switch (tool) {
    case 'code':
      return {
        messages: [
          { fields: assistantCode(ids.newId(), 'python', 'python', '', slug, false), textPieces: ['import math\n', 'print(math.sqrt(', '1764))'], close: {} },
          {
            fields: toolMessage(ids.newId(), 'python', { content_type: 'execution_output', text: '' }, { aggregate_result: { status: 'running' } }, false),
            textPieces: ['42\n'],
            close: { metadata: { aggregate_result: { status: 'success' } } },
          },
        ],
        answer: ['The square root', ' of 1764 is **42**.'],
        answerMetadata: new Map(),
        files: [],
      };
    case 'browse': {
      const answer = ['The moon drives the tides【0', '†source】. Both sources', ' agree \ue200cite\ue202turn0', 'search0\ue202turn0search1\ue201', '.'];
      const firstAt = answer[0].indexOf('【');
      const citeAt = answer.slice(0, 2).join('').length + answer[2].indexOf('\ue200');
      const result = (source: typeof TIDES, index: number) => ({
        type: 'search_result',
        url: source.url,
        title: source.title,
        snippet: `About ${source.title.toLowerCase()}.`,
        ref_id: { turn_index: 0, ref_type: 'search', ref_index: index },
        attribution: new URL(source.url).hostname,
      });
      return {
        messages: [
          {
            fields: assistantCode(ids.newId(), 'web.run', 'unknown', '', slug, false),
            textPieces: ['{"search_query":[{"q":"why do', ' tides happen"}]}'],
            close: {},
          },
          {
            fields: toolMessage(
              ids.newId(),
              'web.run',
              { content_type: 'tether_browsing_display', result: '', summary: null, assets: null, tether_id: null },
              { command: 'search', status: 'running', initial_text: 'Searching the web' },
              false,
            ),
            close: {
              metadata: {
                status: 'finished',
                finished_text: 'Searched 2 sites',
                search_result_groups: [
                  { type: 'search_result_group', domain: 'tides.example', entries: [result(TIDES, 0)] },
                  { type: 'search_result_group', domain: 'moon.example', entries: [result(MOON, 1)] },
                ],
              },
            },
          },
          {
            fields: toolMessage(
              ids.newId(),
              'web.run',
              { content_type: 'tether_quote', url: TIDES.url, domain: 'tides.example', title: TIDES.title, text: "The moon's gravity pulls the oceans toward it.", tether_id: null },
              { command: 'quote' },
              true,
            ),
          },
        ],
        answer,
        answerMetadata: new Map([
          [1, { citations: [{ start_ix: firstAt, end_ix: firstAt + FIRST_MARKER.length, citation_format_type: 'tether_og', metadata: { type: 'webpage', ...TIDES, text: '', pub_date: null, extra: null } }] }],
          [3, { content_references: [{ matched_text: CITE_MARKER, start_idx: citeAt, end_idx: citeAt + CITE_MARKER.length, type: 'grouped_webpages', items: [TIDES, MOON] }] }],
        ]),
        files: [],
      };
    }
    case 'image':
    case 'dalle': {
      const sediment = tool === 'image';
      const fileId = sediment ? `file_${hex(ids.answerId)}` : `file-${hex(ids.answerId)}`;
      const recipient = sediment ? 't2uay3k.sj1i4kz' : 'dalle.text2im';
      const pointer = {
        content_type: 'image_asset_pointer',
        asset_pointer: `${sediment ? 'sediment' : 'file-service'}://${fileId}`,
        size_bytes: 0,
        width: 1024,
        height: 1024,
        fovea: null,
        metadata: { generation: { gen_id: `gen_${hex(ids.answerId)}`, gen_size: 'image', width: 1024, height: 1024, transparent_background: false }, dalle: null },
      };
      return {
        messages: [
          { fields: assistantCode(ids.newId(), recipient, 'json', '{"prompt":"a lighthouse at dusk","size":"1024x1024","n":1}', slug, true) },
          {
            fields: toolMessage(
              ids.newId(),
              recipient,
              { content_type: 'multimodal_text', parts: [] },
              { image_gen_title: 'Lighthouse at dusk', generation: { state: 'generating', progress: 0 } },
              false,
            ),
            progress: [25, 60, 90].map((progress) => ({ generation: { state: 'generating', progress } })),
            close: { parts: [pointer], metadata: { generation: { state: 'done', progress: 100 } } },
          },
        ],
        answer: ['Here is your', ' lighthouse.'],
        answerMetadata: new Map(),
        files: [{ kind: sediment ? 'sediment' : 'file', id: fileId, name: 'lighthouse.png', contentType: 'image/png', messageId: null }],
      };
    }
    case 'image_async': {
      // 2026: the image tool answers at once that the task is queued; the stream ends before the image exists.
      const fileId = `file_${hex(ids.answerId)}`;
      const task = `task_${hex(ids.answerId)}`;
      const recipient = 't2uay3k.sj1i4kz';
      const pointer = { content_type: 'image_asset_pointer', asset_pointer: `sediment://${fileId}`, size_bytes: 0, width: 1024, height: 1024, fovea: null, metadata: { generation: { gen_id: `gen_${hex(ids.answerId)}`, gen_size: 'image', width: 1024, height: 1024 }, dalle: null } };
      const file = { kind: 'sediment' as const, id: fileId, name: 'lighthouse.png', contentType: 'image/png', messageId: null };
      return {
        messages: [
          { fields: assistantCode(ids.newId(), recipient, 'json', '{"prompt":"a lighthouse at dusk","size":"1024x1024","n":1}', slug, true) },
          {
            fields: toolMessage(ids.newId(), recipient, { content_type: 'multimodal_text', parts: [] }, { image_gen_async: true, async_task_type: 'image_gen', async_task_id: task, image_gen_title: 'Lighthouse at dusk' }, false),
            close: { metadata: { async_task_status: 'queued' } },
          },
        ],
        answer: ['Your lighthouse is', ' on its way.'],
        answerMetadata: new Map(),
        files: [],
        late: {
          fields: { ...toolMessage(ids.newId(), recipient, { content_type: 'multimodal_text', parts: [pointer] }, { async_task_id: task, async_task_type: 'image_gen' }, true) },
          afterMs: 300,
          files: [file],
        },
      };
    }
    case 'sandbox':
      return {
        messages: [
          {
            fields: assistantCode(ids.newId(), 'python', 'python', '', slug, false),
            textPieces: ["with open('/mnt/data/report.csv', 'w') as f:\n", "    f.write('a,b\\n1,2\\n')"],
            close: {},
          },
          { fields: toolMessage(ids.newId(), 'python', { content_type: 'execution_output', text: '' }, { aggregate_result: { status: 'success' } }, true) },
        ],
        answer: ['Your file is ready: [report.csv](sand', 'box:/mnt/data/report.csv', ').'],
        answerMetadata: new Map(),
        files: [{ kind: 'sandbox', id: '/mnt/data/report.csv', name: 'report.csv', contentType: 'text/csv', messageId: ids.answerId }],
      };
  }
}
