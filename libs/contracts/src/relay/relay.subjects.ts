import { DATA_FRAME_MAX_BYTES } from '../jobs/binary-frames.js';

/**
 * The generic HTTP relay on the bus. A gateway publishes a RelayJob (an HTTP request for an
 * upstream `target`) with a private reply inbox; one conversation worker (queue group
 * `conversation`) takes it, makes the request with an upstream identity and streams the answer
 * back as RelayFrames: `head`, `data`…, then one `end` or `error`; `hb` while the upstream is silent.
 * Raw NATS, like the chat job: a reply is many messages and sits on the client's hot path.
 */
export const RELAY_JOB = 'chatgate.relay.job.v1' as const;
/** `<prefix>.<requestId>`: the gateway's client went away; the worker aborts the upstream request. */
export const RELAY_CANCEL_PREFIX = 'chatgate.relay.cancel.v1' as const;
export const relayCancelSubject = (requestId: string) => `${RELAY_CANCEL_PREFIX}.${requestId}`;
export const RELAY_CANCEL_ALL = `${RELAY_CANCEL_PREFIX}.*` as const;
/** A `data` frame carries at most this many bytes: far below NATS's payload limit (1 MiB by default). */
export const RELAY_DATA_MAX_BYTES = DATA_FRAME_MAX_BYTES;
