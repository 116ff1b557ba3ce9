import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

type Effect = () => Promise<void> | void;
/** Work that belongs to every transaction while it is still open (the audit log's row of an admin change). */
export type BeforeCommit = (manager: EntityManager) => Promise<void>;

interface Scope {
  manager: EntityManager;
  /** What to announce once the transaction has committed (revocations, pool reloads): never on a rollback. */
  afterCommit: Effect[];
}

/**
 * The one place a database transaction is opened. `run` starts one, or joins the one already
 * open in this async context, so a domain service that makes one change in a transaction of
 * its own makes it inside the caller's when there is one (the bootstrap applies a whole file
 * through the same services, in one transaction). Repositories read `manager` and so follow
 * whichever transaction is open. Announcements wait for the outermost commit.
 */
@Injectable()
export class UnitOfWork {
  private readonly scope = new AsyncLocalStorage<Scope>();
  private readonly beforeCommit: BeforeCommit[] = [];

  constructor(private readonly dataSource: DataSource) {}

  /** The open transaction's manager, else the pool's. */
  get manager(): EntityManager {
    return this.scope.getStore()?.manager ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.scope.getStore() !== undefined;
  }

  /** Called at the end of every outermost transaction, inside it: what it writes commits or rolls back with the rest. */
  onBeforeCommit(hook: BeforeCommit): void {
    this.beforeCommit.push(hook);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.scope.getStore()) return work();
    const afterCommit: Effect[] = [];
    const result = await this.dataSource.transaction((manager) =>
      this.scope.run({ manager, afterCommit }, async () => {
        const done = await work();
        for (const hook of this.beforeCommit) await hook(manager);
        return done;
      }),
    );
    for (const effect of afterCommit) await effect();
    return result;
  }

  /** Now when no transaction is open, else once the outermost one has committed. */
  async afterCommit(effect: Effect): Promise<void> {
    const scope = this.scope.getStore();
    if (scope) scope.afterCommit.push(effect);
    else await effect();
  }

  /**
   * Serialises transactions on one name until the open transaction ends (a Postgres
   * transaction-scoped advisory lock). `space` keeps unrelated kinds of names apart.
   */
  async lock(name: string, space: LockSpace): Promise<void> {
    if (!this.scope.getStore()) throw new Error(`the lock ${space} is held for a transaction, and none is open`);
    await this.manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, $2))', [name, LOCK_SPACES[space]]);
  }

  /**
   * Upstream calls take seconds; a transaction held open meanwhile holds a pooled connection and
   * its row locks. Callers that talk to the upstream check first that none is open.
   */
  assertNoTransaction(what: string): void {
    if (this.scope.getStore()) throw new Error(`${what} must not run inside a database transaction`);
  }
}

/** The seeds of the advisory lock spaces (the second argument of hashtextextended). */
const LOCK_SPACES = { mirror_user: 1, bootstrap: 2 } as const;
export type LockSpace = keyof typeof LOCK_SPACES;
