import type { JsonObject, ResponseItem } from './responses-types.js';

/**
 * A Responses API create request as chatgate builds or rewrites it. The known fields are typed; any
 * other field a client sent rides along (`[key]: unknown`), so a rule that keeps it keeps it exactly.
 */
export interface ResponsesRequestBody {
  model: string;
  input: ResponseItem[];
  instructions?: string | null;
  tools?: JsonObject[];
  tool_choice?: string | JsonObject;
  parallel_tool_calls?: boolean;
  text?: { format?: JsonObject; verbosity?: string };
  reasoning?: { effort?: string; summary?: string };
  max_output_tokens?: number;
  temperature?: number;
  top_p?: number;
  store?: boolean;
  stream?: boolean;
  include?: string[];
  metadata?: Record<string, string>;
  user?: string;
  [key: string]: unknown;
}

