// The responses /v1/responses stored (store: true, the default), per API key: another key asking
// for one gets a 404, as another OpenAI project would. Each keeps the request, the Response object
// as it stands, its own input items (with ids) and the whole conversation up to it, which a
// follow-up's previous_response_id continues.
import type { Item } from '../responses/items.js';
import type { ResponseObject } from '../responses/object.js';

export interface StoredResponse {
  id: string;
  key: string;
  object: ResponseObject;
  /** This request's input items, ids given. */
  inputItems: Item[];
  /** History, this input and this output: what previous_response_id continues. */
  conversation: Item[];
  /** A background response still running (cancel stops it). */
  timer: NodeJS.Timeout | null;
}

const MAX_STORED = 10_000;

export class ResponseStore {
  private readonly byId = new Map<string, StoredResponse>();

  put(stored: StoredResponse): void {
    this.byId.set(stored.id, stored);
    if (this.byId.size > MAX_STORED) {
      const oldest = this.byId.values().next().value as StoredResponse;
      if (oldest.timer) clearTimeout(oldest.timer);
      this.byId.delete(oldest.id);
    }
  }

  /** The key's response, or undefined (unknown, deleted, or another key's). */
  get(key: string, id: string): StoredResponse | undefined {
    const stored = this.byId.get(id);
    return stored && stored.key === key ? stored : undefined;
  }

  delete(key: string, id: string): boolean {
    const stored = this.get(key, id);
    if (!stored) return false;
    if (stored.timer) clearTimeout(stored.timer);
    return this.byId.delete(id);
  }

  idsOf(key: string): string[] {
    return [...this.byId.values()].filter((s) => s.key === key).map((s) => s.id);
  }

  /** Stops every background timer (the server is closing). */
  dispose(): void {
    for (const stored of this.byId.values()) {
      if (stored.timer) clearTimeout(stored.timer);
      stored.timer = null;
    }
  }
}
