import { readFileSync } from 'node:fs';
import { createInbox, credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { ConfigError, type NatsAuthConfig } from '@chatgate/config';
import { inboxPrefixOf, type ServiceName } from '@chatgate/contracts';

/** What a connection needs to reach NATS: the URL, and how to prove who it is (libs/config `natsAuthEnv`). */
export type NatsSettings = Pick<NatsAuthConfig, 'NATS_URL'> & Partial<Omit<NatsAuthConfig, 'NATS_URL'>>;

/** A bare URL (tools, tests of the old shape) or the settings. */
export type NatsTarget = string | NatsSettings;

function settingsOf(target: NatsTarget): NatsSettings {
  return typeof target === 'string' ? { NATS_URL: target } : target;
}

function problems(s: NatsSettings): string[] {
  const out: string[] = [];
  const methods = [s.NATS_USER || s.NATS_PASSWORD ? 'NATS_USER/NATS_PASSWORD' : null, s.NATS_TOKEN ? 'NATS_TOKEN' : null, s.NATS_CREDS ? 'NATS_CREDS' : null].filter(Boolean);
  if (methods.length > 1) out.push(`set one way to authenticate to NATS, not ${methods.join(' and ')}`);
  if (Boolean(s.NATS_USER) !== Boolean(s.NATS_PASSWORD)) out.push('NATS_USER and NATS_PASSWORD go together');
  if (Boolean(s.NATS_TLS_CERT) !== Boolean(s.NATS_TLS_KEY)) out.push('NATS_TLS_CERT and NATS_TLS_KEY go together');
  return out;
}

/**
 * Connection options for every NATS connection a service opens (the raw one, the NestJS transport's
 * server and clients, the start-up check): the credentials and TLS from the config, and, for a service,
 * its own inbox prefix, under which the server lets only that service subscribe (contracts'
 * `busPermissions`). Secrets are read once here and never logged.
 */
export function natsConnectionOptions(target: NatsTarget, service?: ServiceName): ConnectionOptions {
  const s = settingsOf(target);
  const wrong = problems(s);
  if (wrong.length) throw new ConfigError(wrong);
  const options: ConnectionOptions = { servers: s.NATS_URL };
  if (s.NATS_USER) Object.assign(options, { user: s.NATS_USER, pass: s.NATS_PASSWORD });
  if (s.NATS_TOKEN) options.token = s.NATS_TOKEN;
  if (s.NATS_CREDS) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(s.NATS_CREDS);
    } catch (err) {
      throw new ConfigError([`NATS_CREDS: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
    options.authenticator = credsAuthenticator(creds);
  }
  if (s.NATS_TLS_CA || s.NATS_TLS_CERT) {
    options.tls = { ...(s.NATS_TLS_CA ? { caFile: s.NATS_TLS_CA } : {}), ...(s.NATS_TLS_CERT ? { certFile: s.NATS_TLS_CERT, keyFile: s.NATS_TLS_KEY } : {}) };
  }
  if (service) options.inboxPrefix = inboxPrefixOf(service);
  return options;
}

/** True when the connection proves who it is (the server then enforces the bus permissions). */
export function natsAuthenticates(target: NatsTarget): boolean {
  const s = settingsOf(target);
  return Boolean(s.NATS_USER || s.NATS_TOKEN || s.NATS_CREDS);
}

/** A new inbox under the connection's own prefix: replies to it can reach only this service. */
export function inboxOf(nc: NatsConnection): string {
  return createInbox((nc as NatsConnection & { options?: ConnectionOptions }).options?.inboxPrefix);
}
