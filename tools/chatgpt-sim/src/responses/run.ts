// Runs a Responses event stream through StreamRun (delay, ttfb, stall, cut, stream_error), tracked
// for close() like the web backend's streams.
import type { ServerResponse } from 'node:http';
import type { Failure } from '../behaviours.js';
import type { SimContext } from '../context.js';
import type { Directives } from '../directives.js';
import { StreamRun, type MidStreamFailure, type StreamOutcome } from '../stream.js';
import type { ResponsesEncoder } from './encoder.js';

const DEFAULT_AFTER = 2;

/** The mid-stream failure a behaviour or directive plans (stall, cut, stream_error), struck after `after` answer chunks. */
export function midStreamFailure(failure: Failure | undefined, d: Directives): MidStreamFailure | null {
  if (!failure || (failure.kind !== 'stall' && failure.kind !== 'cut' && failure.kind !== 'stream_error')) return null;
  return { kind: failure.kind, after: d.after ?? DEFAULT_AFTER };
}

export function runResponsesStream(
  ctx: SimContext,
  res: ServerResponse,
  encoder: ResponsesEncoder,
  d: Directives,
  failure: MidStreamFailure | null,
  onEnd: (outcome: StreamOutcome) => void,
): void {
  const run = new StreamRun(res, { encoder, delayMs: d.delay ?? 0, ttfbMs: d.ttfb ?? 0, failure }, (finished, outcome) => {
    ctx.streams.delete(finished);
    onEnd(outcome);
  });
  ctx.streams.add(run);
  run.start();
}
