import { usageOf, type PlatformUsage } from './platform-usage.js';

const encoder = new TextEncoder();

/**
 * Watches a platform SSE stream on its way to the client. chatgate always asks the upstream for
 * `stream_options.include_usage` so the usage it records is exact; a client that did not ask must
 * see the stream it would have seen without it: no final usage chunk (empty `choices`), and no
 * `"usage": null` on the other chunks. A client that asked gets the bytes untouched.
 */
export class StreamUsageFilter {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  usage: PlatformUsage | null = null;

  constructor(private readonly clientAskedUsage: boolean) {}

  /** Bytes to forward for these upstream bytes (whole events only; a partial one waits). */
  push(bytes: Uint8Array): Uint8Array {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    let out = '';
    for (;;) {
      const match = /\r?\n\r?\n/.exec(this.buffer);
      if (!match) break;
      const event = this.buffer.slice(0, match.index + match[0].length);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      out += this.filter(event);
    }
    return encoder.encode(out);
  }

  /** Whatever is left when the upstream closed (an unterminated last event passes as it is). */
  end(): Uint8Array {
    const rest = this.buffer + this.decoder.decode();
    this.buffer = '';
    return encoder.encode(rest ? this.filter(rest) : '');
  }

  private filter(event: string): string {
    const lines = event.split(/\r?\n/);
    const dataLines = lines.filter((l) => l.startsWith('data:'));
    if (dataLines.length !== 1) return event;
    const payload = dataLines[0].slice(5).trim();
    if (!payload.startsWith('{') || !payload.includes('"usage"')) return event;
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(payload) as Record<string, unknown>;
    } catch {
      return event;
    }
    // A Responses stream: the id and usage ride in each lifecycle event's `response`.
    if (typeof chunk.type === 'string' && chunk.type.startsWith('response.') && chunk.response && typeof chunk.response === 'object') {
      const response = chunk.response as Record<string, unknown>;
      const counted = usageOf(response.usage);
      if (counted || typeof response.id === 'string') {
        this.usage = { ...(counted ?? this.usage ?? { promptTokens: 0, completionTokens: 0 }), ...(typeof response.id === 'string' ? { responseId: response.id } : {}) };
      }
      return event;
    }
    const usage = usageOf(chunk.usage);
    if (usage) this.usage = usage;
    if (this.clientAskedUsage || !('usage' in chunk)) return event;
    // The usage-only chunk exists because chatgate asked for it: the client never sees it.
    if (Array.isArray(chunk.choices) && chunk.choices.length === 0) return '';
    delete chunk.usage;
    return event.replace(dataLines[0], () => `data: ${JSON.stringify(chunk)}`);
  }
}
