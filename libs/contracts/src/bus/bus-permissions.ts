import { ACCOUNT_KEYS, ACCOUNT_LEASE, ACCOUNT_LIMITS, ACCOUNT_PLANS, ACCOUNT_REPORT, ACCOUNTS_CHANGED } from '../accounts/accounts.subjects.js';
import { AUTH_CREDENTIAL_REVOKED, AUTH_RESOLVE_CREDENTIAL, AUTH_TENANT_PRINCIPALS_CHANGED } from '../auth/auth.subjects.js';
import { USAGE_BILLING_SPEND, USAGE_SPEND_QUERY } from '../billing/billing.subjects.js';
import { CHAT_COMPLETION_CANCEL_PREFIX, CHAT_COMPLETION_JOB } from '../chat/chat.subjects.js';
import { SERVICE_NAMES, type ServiceName } from '../common/service-names.js';
import { CONVERSATION_LIST_MODELS, CONVERSATION_MANAGE } from '../conversation/conversation.subjects.js';
import { CONVERSATION_RESPONSES } from '../responses/responses-store.schemas.js';
import { FILE_DOWNLOAD_CANCEL_PREFIX, FILE_DOWNLOAD_JOB } from '../files/files.subjects.js';
import { healthPingSubject } from '../health/health.subjects.js';
import { RELAY_CANCEL_PREFIX, RELAY_JOB } from '../relay/relay.subjects.js';
import { maxDeliveriesAdvisorySubject, USAGE_ACCOUNT_HOURLY, USAGE_DEAD_LETTERS, USAGE_LIMIT_RELEASE, USAGE_LIMIT_TAKE, USAGE_QUERY, USAGE_SERIES, USAGE_USER_COUNTS, usageStreamNames } from '../usage/usage.subjects.js';
import { LIVEKIT_TOKEN, SPEECH_CANCEL_PREFIX, SPEECH_JOB } from '../voice/voice.subjects.js';

/** Every admin request subject (`chatgate.auth.admin.<what>.v1`): sent by the gateway alone, answered by auth alone. */
export const ADMIN_SUBJECTS = 'chatgate.auth.admin.>' as const;

/**
 * Each service's private reply space: its connections make their inboxes under it (`inboxPrefix`), and
 * only that service may subscribe there, so no other service can read the answers it gets (leased
 * tokens, resolved principals, admin replies).
 */
export const inboxPrefixOf = (service: ServiceName) => `_INBOX_${service}` as const;

export interface BusPermissions {
  /** Subjects the service may publish to. */
  publish: string[];
  /** Subjects the service may subscribe to (queue groups included). */
  subscribe: string[];
  /** It answers requests: it may publish once to the reply subject of a message it received. */
  answersRequests: boolean;
}

const cancels = (prefix: string) => `${prefix}.>`;

/** The JetStream API calls of a worker that publishes usage events (and creates the stream when it is missing). */
function usagePublisherApi(stream: string): string[] {
  return ['$JS.API.INFO', `$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.CREATE.${stream}`, `$JS.API.STREAM.UPDATE.${stream}`];
}

/** The usage service's JetStream API calls: its stream, its durable consumer, acks, and reading one stored event back. */
function usageConsumerApi(stream: string, consumer: string): string[] {
  return [
    ...usagePublisherApi(stream),
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${consumer}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${consumer}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${consumer}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
    `$JS.ACK.${stream}.${consumer}.>`,
  ];
}

/**
 * Who may say what on the bus: per service, the subjects it may publish and subscribe to. The NATS
 * server enforces it (deploy/nats, rendered by `natsServerAuthorization`), so a message on an admin
 * subject comes from the gateway, a lease reply from auth, a limit answer from usage: handlers may
 * trust the `actor` an admin request carries because no other service can send one.
 *
 * `usageStreamSuffix` names a test stack's own usage stream (USAGE_STREAM_SUFFIX); empty in deployments.
 */
export function busPermissions(usageStreamSuffix = ''): Record<ServiceName, BusPermissions> {
  const usage = usageStreamNames(usageStreamSuffix);
  const own = (service: ServiceName) => [`${inboxPrefixOf(service)}.>`, healthPingSubject(service)];
  // Frames of a job stream go to the gateway's inbox, many per job: more than a single reply.
  const jobFrames = `${inboxPrefixOf('gateway')}.>`;
  // What each service answers the gateway: the gateway may publish exactly these, the service subscribe to them.
  const conversationAnswers = [
    CHAT_COMPLETION_JOB,
    cancels(CHAT_COMPLETION_CANCEL_PREFIX),
    RELAY_JOB,
    cancels(RELAY_CANCEL_PREFIX),
    CONVERSATION_LIST_MODELS,
    CONVERSATION_MANAGE,
    CONVERSATION_RESPONSES,
    FILE_DOWNLOAD_JOB,
    cancels(FILE_DOWNLOAD_CANCEL_PREFIX),
  ];
  const voiceAnswers = [SPEECH_JOB, cancels(SPEECH_CANCEL_PREFIX), LIVEKIT_TOKEN];
  const usageAnswers = [USAGE_LIMIT_TAKE, USAGE_LIMIT_RELEASE, USAGE_QUERY, USAGE_USER_COUNTS, USAGE_DEAD_LETTERS, USAGE_ACCOUNT_HOURLY, USAGE_BILLING_SPEND, USAGE_SPEND_QUERY, USAGE_SERIES];
  return {
    gateway: {
      publish: [AUTH_RESOLVE_CREDENTIAL, ADMIN_SUBJECTS, ...conversationAnswers, ...voiceAnswers, ...usageAnswers, ...SERVICE_NAMES.map(healthPingSubject)],
      subscribe: [...own('gateway'), AUTH_CREDENTIAL_REVOKED, AUTH_TENANT_PRINCIPALS_CHANGED],
      answersRequests: true,
    },
    auth: {
      publish: [AUTH_CREDENTIAL_REVOKED, AUTH_TENANT_PRINCIPALS_CHANGED, ACCOUNTS_CHANGED],
      subscribe: [...own('auth'), AUTH_RESOLVE_CREDENTIAL, ADMIN_SUBJECTS, ACCOUNT_LEASE, ACCOUNT_REPORT, ACCOUNT_PLANS, ACCOUNT_KEYS, ACCOUNT_LIMITS, ACCOUNTS_CHANGED],
      answersRequests: true,
    },
    conversation: {
      // ACCOUNT_LIMITS: what a Codex account's answers say of its usage windows, for auth's pool.
      // ACCOUNT_KEYS and ACCOUNTS_CHANGED: the worker's local snapshots of the tenant's API keys and ChatGPT logins.
      publish: [ACCOUNT_LEASE, ACCOUNT_REPORT, ACCOUNT_PLANS, ACCOUNT_KEYS, ACCOUNT_LIMITS, usage.subject, jobFrames, ...usagePublisherApi(usage.stream)],
      subscribe: [...own('conversation'), ACCOUNTS_CHANGED, ...conversationAnswers],
      answersRequests: true,
    },
    voice: {
      publish: [ACCOUNT_LEASE, ACCOUNT_REPORT, usage.subject, jobFrames, ...usagePublisherApi(usage.stream)],
      subscribe: [...own('voice'), ...voiceAnswers],
      answersRequests: true,
    },
    usage: {
      publish: usageConsumerApi(usage.stream, usage.consumer),
      subscribe: [...own('usage'), ...usageAnswers, maxDeliveriesAdvisorySubject(usage.stream, usage.consumer)],
      answersRequests: true,
    },
  };
}

/** How a NATS user proves who it is in the rendered config: a literal (tests) or `$VAR`, read from the server's environment. */
export type NatsSecretRef = { literal: string } | { env: string };

/** The environment variable the deployed NATS config reads a service's password from (`NATS_GATEWAY_PASSWORD`, …). */
export const natsPasswordVariable = (service: ServiceName) => `NATS_${service.toUpperCase()}_PASSWORD` as const;

const quote = (value: string) => JSON.stringify(value);
const list = (subjects: string[], indent: string) => `[\n${subjects.map((s) => `${indent}  ${quote(s)}`).join(',\n')}\n${indent}]`;

/**
 * The `authorization` block of a nats-server configuration: one user per service (named after it) with
 * the permissions above. `extraUsers` adds users with every permission (a test's own connection).
 */
export function natsServerAuthorization(opts: {
  passwords: Record<ServiceName, NatsSecretRef>;
  usageStreamSuffix?: string;
  extraUsers?: Array<{ user: string; password: string }>;
}): string {
  const permissions = busPermissions(opts.usageStreamSuffix);
  const users = SERVICE_NAMES.map((service) => {
    const p = permissions[service];
    const ref = opts.passwords[service];
    const password = 'literal' in ref ? quote(ref.literal) : `$${ref.env}`;
    return [
      `    {`,
      `      user: ${quote(service)}`,
      `      password: ${password}`,
      `      permissions: {`,
      `        publish: { allow: ${list(p.publish, '        ')} }`,
      `        subscribe: { allow: ${list(p.subscribe, '        ')} }`,
      ...(p.answersRequests ? [`        allow_responses: true`] : []),
      `      }`,
      `    }`,
    ].join('\n');
  });
  const extra = (opts.extraUsers ?? []).map((u) => `    { user: ${quote(u.user)}, password: ${quote(u.password)} }`);
  return `authorization {\n  users: [\n${[...users, ...extra].join('\n')}\n  ]\n}\n`;
}
