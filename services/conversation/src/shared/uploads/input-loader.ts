import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { inputsTooLarge, requestFailure, type BusError, type ChatJob, type ChatMessage, type RequestFailureCode } from '@chatgate/contracts';
import type { Logger } from '@chatgate/service-kit';
import { CONVERSATION_CONFIG, CONVERSATION_LOGGER, type ConversationConfig } from '../../conversation.config.js';
import { messageText } from '../text/message-text.js';
import type { FileToUpload } from '../upstream/chatgpt-files.client.js';
import { sentMessageIndexes } from '../upstream/conversation-request.js';
import { decodeInline, isDataUrl } from './inline-data.js';
import { parseAllowHosts, safeFetch, UrlRefusedError, type SafeFetchOptions } from './safe-fetch.js';
import { documentType, imageExtension, sniffImage } from './sniff.js';

/** A message as it will be sent: its text, and the files it carries (not yet uploaded). */
export interface PreparedMessage {
  text: string;
  files: FileToUpload[];
}

export type PrepareResult = { ok: true; messages: PreparedMessage[] | null } | { ok: false; failure: BusError };

/** The ChatGPT web client takes at most ten files per message; the same bound keeps a request's memory in check. */
export const MAX_FILES_PER_REQUEST = 10;

class InputRefused extends Error {
  constructor(readonly failure: BusError) {
    super(failure.error.message);
  }
}

function refuse(param: string, message: string, code: RequestFailureCode): InputRefused {
  return new InputRefused(requestFailure(code, message, { param }));
}

/**
 * What one request's images and files may weigh together (UPLOAD_JOB_MAX_BYTES): they are all held
 * until the job ends, so this, times WORKER_CONCURRENCY, bounds a worker's memory for inputs. Shared
 * by the inputs of a job as they load in parallel, chunk by chunk.
 */
class InputBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  take(bytes: number): boolean {
    this.used += bytes;
    return this.used <= this.maxBytes;
  }
}

/** One thing to fetch or decode, and where it came from (for the 400 that names it). */
interface Source {
  kind: 'image' | 'file' | 'url_attachment';
  value: string;
  filename?: string;
  param: string;
}

/**
 * An image (an http(s) or data: URL, or base64), a file (a data: URL or base64) or a file by http(s)
 * URL (`url_attachment`: the Responses API's `input_file.file_url`) to load, and the param that named it.
 */
export type InputSource = Source;

export type LoadResult = { ok: true; files: FileToUpload[] } | { ok: false; failure: BusError };

/** Leading http(s) URLs of a text, separated by whitespace (chat2api's `URL URL text`), and the rest. */
export function leadingUrls(text: string): { urls: string[]; rest: string } {
  const urls: string[] = [];
  let rest = text;
  for (;;) {
    const match = /^\s*(https?:\/\/\S+)(\s+|$)/i.exec(rest);
    if (!match) break;
    urls.push(match[1]);
    rest = rest.slice(match[0].length);
  }
  return { urls, rest: urls.length ? rest.trimStart() : text };
}

function nameFromUrl(raw: string): string | null {
  try {
    const last = new URL(raw).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last).slice(0, 200) : null;
  } catch {
    return null;
  }
}

/**
 * Gets the bytes of every image and file a job's sent messages carry, once per job (not per account):
 * data: URLs and base64 are decoded; http(s) URLs are fetched under the SSRF guard (safe-fetch). The
 * bytes decide the type (magic bytes; dimensions for images), never the sender's claim. Anything
 * refused is a 400 naming the part and the reason.
 */
@Injectable()
export class InputLoader {
  private readonly fetchOptions: SafeFetchOptions;

  constructor(
    @Inject(CONVERSATION_CONFIG) private readonly config: ConversationConfig,
    @Inject(CONVERSATION_LOGGER) logger: Logger,
  ) {
    const allowHosts = parseAllowHosts(config.UPLOAD_ALLOW_HOSTS);
    // Worth a line at every start: these hosts bypass the private-address guard.
    if (allowHosts.size) logger.warn({ hosts: [...allowHosts] }, 'UPLOAD_ALLOW_HOSTS: user-supplied URLs may reach these hosts although they are private');
    this.fetchOptions = { maxBytes: config.UPLOAD_MAX_BYTES, timeoutMs: config.UPLOAD_FETCH_TIMEOUT_MS, proxyUrl: config.EXPORT_PROXY_URL, allowHosts };
  }

  /** Whether a job has anything to fetch or upload; a text-only job skips all of this. */
  needsInputs(job: ChatJob): boolean {
    const newestUser = job.messages.findLastIndex((m) => m.role === 'user');
    return job.messages.some(
      (m, i) => (typeof m.content !== 'string' && m.content.some((p) => p.type !== 'text')) || (this.config.UPLOAD_BY_URL && i === newestUser && leadingUrls(messageText(m)).urls.length > 0),
    );
  }

  async prepare(job: ChatJob): Promise<PrepareResult> {
    if (!this.needsInputs(job)) return { ok: true, messages: null };
    try {
      const sent = new Set(sentMessageIndexes(job));
      const newestUser = job.messages.findLastIndex((m) => m.role === 'user');
      const plans = job.messages.map((message, index) => this.plan(message, index, sent.has(index), index === newestUser));
      const count = plans.reduce((n, p) => n + p.sources.length, 0);
      if (count > MAX_FILES_PER_REQUEST) throw refuse('messages', `At most ${MAX_FILES_PER_REQUEST} images and files can be sent in one request (this one has ${count}).`, 'too_many_files');
      const budget = new InputBudget(this.config.UPLOAD_JOB_MAX_BYTES);
      const messages = await Promise.all(plans.map(async (p) => ({ text: p.text, files: await Promise.all(p.sources.map((s) => this.load(s, budget))) })));
      return { ok: true, messages };
    } catch (err) {
      if (err instanceof InputRefused) return { ok: false, failure: err.failure };
      throw err;
    }
  }

  /**
   * Images and files named outside a chat job (a request in another dialect, e.g. a chat request on
   * Codex accounts), loaded exactly as a job's: the same guard, caps, per-request budget and sniffing.
   */
  async loadAll(sources: InputSource[]): Promise<LoadResult> {
    if (sources.length > MAX_FILES_PER_REQUEST) {
      return { ok: false, failure: requestFailure('too_many_files', `At most ${MAX_FILES_PER_REQUEST} images and files can be sent in one request (this one has ${sources.length}).`, { param: 'messages' }) };
    }
    const budget = new InputBudget(this.config.UPLOAD_JOB_MAX_BYTES);
    try {
      return { ok: true, files: await Promise.all(sources.map((s) => this.load(s, budget))) };
    } catch (err) {
      if (err instanceof InputRefused) return { ok: false, failure: err.failure };
      throw err;
    }
  }

  private plan(message: ChatMessage, index: number, sent: boolean, newestUser: boolean): { text: string; sources: Source[] } {
    const text = messageText(message);
    if (!sent) return { text, sources: [] };
    const sources: Source[] = [];
    if (typeof message.content !== 'string') {
      message.content.forEach((part, p) => {
        const param = `messages[${index}].content[${p}]`;
        if (part.type === 'image_url') sources.push({ kind: 'image', value: part.image_url.url, param: `${param}.image_url.url` });
        if (part.type === 'file') sources.push({ kind: 'file', value: part.file.file_data, filename: part.file.filename, param: `${param}.file.file_data` });
      });
    }
    if (!this.config.UPLOAD_BY_URL || !newestUser) return { text, sources };
    const { urls, rest } = leadingUrls(text);
    for (const url of urls) sources.push({ kind: 'url_attachment', value: url, param: `messages[${index}].content` });
    return { text: rest, sources };
  }

  private async load(source: Source, budget: InputBudget): Promise<FileToUpload> {
    const { bytes, name } = await this.bytesOf(source, budget);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const image = sniffImage(bytes);
    if (source.kind === 'image') {
      if (!image) throw refuse(source.param, `The image at '${source.param}' is not a PNG, JPEG, GIF or WebP image.`, 'invalid_image_format');
      return { bytes, sha256, name: name ?? `image.${imageExtension(image.mimeType)}`, mimeType: image.mimeType, image: { width: image.width, height: image.height } };
    }
    const fileName = name ?? (image ? `image.${imageExtension(image.mimeType)}` : 'file');
    if (image) return { bytes, sha256, name: fileName, mimeType: image.mimeType, image: { width: image.width, height: image.height } };
    return { bytes, sha256, name: fileName, mimeType: documentType(bytes, fileName), image: null };
  }

  private async bytesOf(source: Source, budget: InputBudget): Promise<{ bytes: Buffer; name: string | null }> {
    const urlCode: RequestFailureCode = source.kind === 'image' ? 'invalid_image_url' : source.kind === 'url_attachment' ? 'invalid_attachment_url' : 'invalid_file_data';
    if (source.kind === 'file' || isDataUrl(source.value)) {
      const inline = decodeInline(source.value);
      if (!inline) {
        const what = source.kind === 'file' ? 'a data: URL or base64' : 'an http(s) URL or a base64 data: URL';
        throw refuse(source.param, `'${source.param}' is not ${what}.`, source.kind === 'file' ? 'invalid_file_data' : 'invalid_image_url');
      }
      if (inline.bytes.length === 0) throw refuse(source.param, `'${source.param}' holds no bytes.`, source.kind === 'file' ? 'invalid_file_data' : 'invalid_image_url');
      if (inline.bytes.length > this.config.UPLOAD_MAX_BYTES) {
        throw refuse(source.param, `'${source.param}' is larger than ${this.config.UPLOAD_MAX_BYTES} bytes.`, 'file_too_large');
      }
      if (!budget.take(inline.bytes.length)) throw new InputRefused(inputsTooLarge(budget.maxBytes));
      return { bytes: inline.bytes, name: source.filename?.trim() || null };
    }
    try {
      const fetched = await safeFetch(source.value, { ...this.fetchOptions, reserve: (bytes) => budget.take(bytes) });
      if (fetched.bytes.length === 0) throw refuse(source.param, `The URL in '${source.param}' answered no content.`, urlCode);
      return { bytes: fetched.bytes, name: nameFromUrl(fetched.finalUrl) };
    } catch (err) {
      if (err instanceof InputRefused) throw err;
      if (err instanceof UrlRefusedError && err.reason === 'budget') throw new InputRefused(inputsTooLarge(budget.maxBytes));
      if (err instanceof UrlRefusedError) throw refuse(source.param, `${err.message} ('${source.param}').`, urlCode);
      // Connection refused, TLS failure, reset: the URL's fault, never the gateway's. Only the error code is named.
      const code = (err as { code?: string })?.code;
      throw refuse(source.param, `URL refused: it could not be fetched${code ? ` (${code})` : ''} ('${source.param}').`, urlCode);
    }
  }
}
