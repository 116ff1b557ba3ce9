import type { ConnectionOptions, NatsConnection, Status } from '@nats-io/transport-node';
import type { Logger } from '../logging/logger.js';
import { reconnectDelay, type ReconnectPolicy } from './reconnect-policy.js';

/** Where one connection stands: `connecting` until it is watched, then as NATS last said. */
export type LinkState = 'connecting' | 'connected' | 'disconnected' | 'reconnecting' | 'closed';

const isUp = (state: LinkState) => state === 'connected' || state === 'connecting';

/** One link's state, for health reports. */
export interface LinkView {
  name: string;
  state: LinkState;
  /** Since when it has been up, or down (epoch ms). */
  since: number;
  /** Tries since the connection was lost (0 while connected). */
  attempts: number;
}

/**
 * One NATS connection of a service (the raw data-plane connection, the NestJS transport's server,
 * each transport client): its connect options, which reconnect for ever with back-off and jitter,
 * and its state as the connection's status stream tells it, one log line per change of state
 * (disconnected, reconnecting, reconnected), never one per try.
 */
export class BusLink {
  private current: LinkState = 'connecting';
  private changedAt = Date.now();
  private failed = 0;
  private lostAt = 0;
  private closing = false;

  constructor(
    readonly name: string,
    private readonly policy: ReconnectPolicy,
    private readonly logger: Logger,
  ) {}

  /**
   * For `connect()` (or a NestJS transport's options): never give up (`maxReconnectAttempts: -1`),
   * wait as `reconnectDelay` says between tries, and fail a first connect at once (boot has just
   * checked the server; a service that cannot reach it stops with one line instead of hanging).
   */
  connectOptions(): Pick<ConnectionOptions, 'maxReconnectAttempts' | 'reconnectDelayHandler' | 'waitOnFirstConnect'> {
    return { maxReconnectAttempts: -1, reconnectDelayHandler: () => reconnectDelay(this.policy, this.failed), waitOnFirstConnect: false };
  }

  /** Follows the connection's status until it closes. */
  watch(nc: NatsConnection): void {
    this.enter('connected');
    void (async () => {
      for await (const status of nc.status()) this.observe(status);
    })().catch(() => undefined);
    void nc.closed().then(() => this.enter('closed'));
  }

  /** The service is stopping: the close that follows is expected, not worth more than a debug line. */
  markClosing(): void {
    this.closing = true;
  }

  get state(): LinkState {
    return this.current;
  }

  /** Up, or still starting (a link that never connected is not reported down before it tried). */
  get up(): boolean {
    return isUp(this.current);
  }

  view(): LinkView {
    return { name: this.name, state: this.current, since: this.changedAt, attempts: this.failed };
  }

  private observe(status: Status): void {
    switch (status.type) {
      case 'disconnect':
        this.lostAt = Date.now();
        this.failed = 0;
        this.enter('disconnected');
        this.logger.warn({ link: this.name, server: status.server }, 'NATS connection lost; reconnecting until it is back');
        break;
      case 'reconnecting':
        this.failed++;
        if (this.current === 'reconnecting') break;
        this.enter('reconnecting');
        this.logger.info({ link: this.name }, 'NATS reconnecting');
        break;
      case 'reconnect': {
        const outageMs = this.lostAt ? Date.now() - this.lostAt : 0;
        this.logger.info({ link: this.name, server: status.server, attempts: this.failed, outageMs }, 'NATS reconnected');
        this.failed = 0;
        this.enter('connected');
        break;
      }
      case 'close':
        break;
      default:
        // ping, update, ldm, slowConsumer, error…: no change of state.
        break;
    }
  }

  private enter(state: LinkState): void {
    if (state === this.current) return;
    if (state === 'closed') (this.closing ? this.logger.debug.bind(this.logger) : this.logger.error.bind(this.logger))({ link: this.name }, 'NATS connection closed');
    // `since` is when the link went up or down: reconnecting after disconnected is the same outage.
    if (isUp(state) !== isUp(this.current)) this.changedAt = Date.now();
    this.current = state;
  }
}

/**
 * Every NATS connection of one service, so its health says "bus down" while any of them is: the raw
 * connection may be back while a transport connection is not, and either alone breaks the service.
 */
export class BusLinks {
  private readonly links = new Map<string, BusLink>();

  constructor(
    readonly policy: ReconnectPolicy,
    private readonly logger: Logger,
  ) {}

  /** The link of this name, made on first use. */
  link(name: string): BusLink {
    let link = this.links.get(name);
    if (!link) {
      link = new BusLink(name, this.policy, this.logger);
      this.links.set(name, link);
    }
    return link;
  }

  all(): LinkView[] {
    return [...this.links.values()].map((l) => l.view());
  }

  /** The links that are not up now. */
  down(): LinkView[] {
    return [...this.links.values()].filter((l) => !l.up).map((l) => l.view());
  }

  /** The service is stopping: its connections' closes are expected. */
  markClosing(): void {
    for (const link of this.links.values()) link.markClosing();
  }
}

/** "bus down: data reconnecting for 12 s (14 tries), transport-server …", for health reports. */
export function describeDown(down: LinkView[], now = Date.now()): string {
  const parts = down.map((l) => `${l.name} ${l.state} for ${Math.round((now - l.since) / 1000)} s${l.attempts ? ` (${l.attempts} tries)` : ''}`);
  return `bus down: ${parts.join(', ')}`;
}
