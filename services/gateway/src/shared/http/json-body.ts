import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidJson, nestedTooDeeply } from '@chatgate/contracts';
import { ApiError } from '../errors/api-error.js';

/** Deeper than any request of the API (a chat message's content part's image is 5 levels), far below what costs time. */
export const MAX_JSON_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether a JSON text nests deeper than `max` (objects and arrays; brackets inside strings do not
 * count). One pass over the bytes, no allocation: it runs before JSON.parse, which takes seconds on
 * a few MiB of `[[[[…` and builds one object per level.
 */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * The gateway's `application/json` body parser: Fastify's own (prototype poisoning refused) behind the
 * depth check. The body limit is Fastify's (BODY_LIMIT_BYTES), applied while the body is read.
 */
export function boundedJsonParser(fastify: FastifyInstance) {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  return (req: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void): void => {
    if (body.length === 0) return done(ApiError.fromBus(invalidJson()));
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) return done(ApiError.fromBus(nestedTooDeeply(MAX_JSON_DEPTH)));
    parse(req, body.toString('utf8'), done);
  };
}
