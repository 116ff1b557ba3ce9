import type { BusError } from '../common/openai-error.js';
import { codeGuard, failureOf, unhandled, type Envelope, type FailureDetails } from './failure.js';

/**
 * The job family: what can go wrong between the gateway and the worker that runs a job (the bus,
 * the worker's own state), as opposed to what the upstream or the client's request did.
 */
export const JOB_FAILURE_CODES = [
  'worker_unavailable',
  'worker_busy',
  'worker_lost',
  'worker_shutdown',
  'malformed_job',
  'relay_target_unavailable',
  'request_too_large',
  'internal_error',
] as const;
export type JobFailureCode = (typeof JOB_FAILURE_CODES)[number];
export const isJobFailureCode = codeGuard(JOB_FAILURE_CODES);

export const JOB_FAILURES = {
  worker_unavailable: { status: 503, type: 'server_error' },
  worker_busy: { status: 503, type: 'server_error' },
  worker_lost: { status: 502, type: 'server_error' },
  worker_shutdown: { status: 503, type: 'server_error' },
  malformed_job: { status: 500, type: 'server_error' },
  relay_target_unavailable: { status: 501, type: 'server_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  internal_error: { status: 500, type: 'server_error' },
} as const satisfies Record<JobFailureCode, Envelope>;

export const jobFailure = (code: JobFailureCode, message: string, details?: FailureDetails): BusError => failureOf(JOB_FAILURES, code, message, details);

/**
 * Who gives a request's limit slot (and budget holds) back when its job ended with this failure.
 * `gateway`: no worker ran the job, so no usage event will come; the gateway releases the slot.
 * `usage_event`: a worker ran it and its usage event (`error` or `worker_lost` outcome) releases it.
 */
export type SlotReturn = 'gateway' | 'usage_event';

export function slotReturnOf(code: JobFailureCode): SlotReturn {
  switch (code) {
    case 'worker_unavailable': // no worker was subscribed
    case 'worker_busy': // a worker at its concurrency cap answered without running it
    case 'malformed_job': // refused before it ran
    case 'relay_target_unavailable': // no target to run it
    case 'request_too_large': // never published
      return 'gateway';
    case 'worker_lost': // it ran and its worker died: the gateway publishes the event (outcome worker_lost)
    case 'worker_shutdown':
    case 'internal_error':
      return 'usage_event';
    default:
      return unhandled(code);
  }
}

/**
 * Whether the gateway itself returns the limit slot of a job that ended with this failure. Only job
 * failures that mean "never ran" do; a failure of any other family (upstream, request, …) came from
 * a worker that ran the job, and its usage event returns the slot.
 */
export function gatewayReturnsSlot(failure: BusError): boolean {
  const code = failure.error.code;
  return isJobFailureCode(code) && slotReturnOf(code) === 'gateway';
}

/** Nouns the texts below are built from, as a job protocol names them (`conversation worker`, `the reply`). */
export interface JobNouns {
  /** Who runs the jobs: `conversation worker`, `voice service`. */
  readonly worker: string;
  /** What a job answers with: `the reply`, `the audio`. */
  readonly answer: string;
  /** The job itself: `chat job`, `relay job`, `speech job`. */
  readonly job: string;
}

/** No replica subscribed to the job's subject (the server's no-responders answer). */
export const workerUnavailable = (nouns: Pick<JobNouns, 'worker'>) => jobFailure('worker_unavailable', `No ${nouns.worker} is available. Try again shortly.`);

/** A request/reply service (NestJS transport) that did not answer. */
export const serviceUnavailable = (service: string) => jobFailure('worker_unavailable', `The ${service} is unavailable. Try again shortly.`);

export const workerBusy = (nouns: Pick<JobNouns, 'worker'>, retryAfterSec: number) =>
  jobFailure('worker_busy', `Every ${nouns.worker} is at its concurrency limit. Try again in ${retryAfterSec} s.`, { retryAfterSec });

/** Nothing (no frame, no heartbeat) for the idle timeout, or a frame that is not one. */
export const workerLost = (nouns: Pick<JobNouns, 'worker' | 'answer'>) => jobFailure('worker_lost', `The ${nouns.worker} stopped answering in the middle of ${nouns.answer}.`);

export const workerShutdown = (nouns: Pick<JobNouns, 'worker'>) => jobFailure('worker_shutdown', `The ${nouns.worker} is shutting down.`);

export const malformedJob = (nouns: Pick<JobNouns, 'job'>) => jobFailure('malformed_job', `The gateway sent a malformed ${nouns.job}.`);

export const relayTargetUnavailable = (target: string) => jobFailure('relay_target_unavailable', `This worker cannot relay to ${target}.`);

/** What a protocol says when its job is too large for the bus: the field at fault, what the bytes are, what to do instead. */
export interface TooLargeAdvice {
  readonly param: string | null;
  /** `messages and inline data`: what the bytes are made of. */
  readonly carried?: string;
  /** What the client can do instead. */
  readonly advice?: string;
}

/** The job is one bus message: one larger than the server's max_payload is refused before it is sent. */
export const jobTooLarge = (bytes: number, maxBytes: number, about: TooLargeAdvice) =>
  jobFailure(
    'request_too_large',
    `The request carries ${bytes} bytes${about.carried ? ` of ${about.carried}` : ''}; at most ${maxBytes} bytes can go to a worker in one request.${about.advice ? ` ${about.advice}` : ''}`,
    { param: about.param },
  );

/** A job whose handler threw: logged with its stack, never sent. */
export const jobCrashed = (nouns: Pick<JobNouns, 'worker'>, doing: string) => jobFailure('internal_error', `The ${nouns.worker} failed while ${doing}.`);

/** An error nothing else explained (the gateway's last resort), named by an incident id found in the logs. */
export const internalError = (incident: string) => jobFailure('internal_error', `The server had an error processing your request (incident ${incident}).`);
