// One authenticated platform API request, as the endpoints receive it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';

export interface PlatformCall {
  ctx: SimContext;
  req: IncomingMessage;
  res: ServerResponse;
  /** The API key presented. */
  key: string;
  /** The models the key may use (null: every model the simulator lists). */
  keyModels: string[] | null;
  body: Record<string, unknown>;
  /** The body's model ('' when the endpoint takes none). */
  model: string;
  /** http://<host> as the client reached the simulator. */
  baseUrl: string;
  /** The id in the path (/v1/responses/{id}…), else null. */
  id: string | null;
}

export interface PlatformEndpoint {
  method: 'GET' | 'POST' | 'DELETE';
  /** Whether the body's `model` must name a model the key may use. */
  model: 'required' | 'optional' | 'none';
  run(call: PlatformCall): void | Promise<void>;
}
