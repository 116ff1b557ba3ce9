import type { z } from 'zod';
import type { BusError } from '../common/openai-error.js';
import type { JobNouns, TooLargeAdvice } from '../failures/job-failures.js';

/**
 * A frame a job sends back on its reply inbox. Every protocol shares these conventions: `hb` while
 * the upstream is silent (the gateway takes silence for a dead worker), and exactly one last frame,
 * `end` or `error`; an `error` before anything reached the client keeps its HTTP status.
 */
export interface JobFrameBase {
  readonly t: string;
}

/** Marks a frame that is not JSON (raw audio bytes); frames without it are the protocol's default encoding. */
export const FRAME_KIND_HEADER = 'Chatgate-Frame' as const;

/**
 * One kind of job on the bus, as both ends see it: the gateway publishes a Job with a private reply
 * inbox to `subject`; one worker of `queue` takes it and streams Frames back; a fan-out message on
 * `<cancelPrefix>.<requestId>` aborts it. The job worker and job client in service-kit take one of
 * these and know nothing else about the job. Adding a job kind is adding one protocol.
 */
export interface JobProtocol<Job extends { requestId: string }, Frame extends JobFrameBase> extends JobNouns {
  readonly subject: string;
  readonly queue: string;
  readonly cancelPrefix: string;
  readonly jobSchema: z.ZodType<Job>;
  /** What a 413 says when a job does not fit the bus. */
  readonly tooLarge: TooLargeAdvice;
  encodeFrame(frame: Frame): Uint8Array;
  /** The FRAME_KIND_HEADER value a frame travels with (raw audio), undefined for the default encoding. */
  frameKind?(frame: Frame): string | undefined;
  /** Throws on anything that is not a frame (the gateway takes the worker for lost). */
  decodeFrame(data: Uint8Array, kind: string | undefined): Frame;
  readonly heartbeat: Frame;
  errorFrame(failure: BusError): Frame;
}

/** Every protocol's `error` frame: the failure, as it travels on the bus. */
export type JobErrorFrame = { t: 'error' } & BusError;

export function isErrorFrame(frame: JobFrameBase): frame is JobErrorFrame {
  return frame.t === 'error';
}

/** Whether a frame is the last of its job. */
export function isLastFrame(frame: JobFrameBase): boolean {
  return frame.t === 'end' || frame.t === 'error';
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The default frame encoding: one JSON object per message. */
export function encodeJsonFrame(frame: unknown): Uint8Array {
  return textEncoder.encode(JSON.stringify(frame));
}

export function decodeJsonFrame<S extends z.ZodType>(schema: S, data: Uint8Array): z.infer<S> {
  return schema.parse(JSON.parse(textDecoder.decode(data)));
}

export const cancelSubjectOf = (protocol: { cancelPrefix: string }, requestId: string) => `${protocol.cancelPrefix}.${requestId}`;
