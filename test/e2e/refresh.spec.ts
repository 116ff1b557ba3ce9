import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { authEnv, parseConfig } from '@chatgate/config';
import {
  AccountPoolService,
  AccountsService,
  RefreshClock,
  RefreshPassService,
  RefreshQueue,
  RefreshScheduleService,
  startAuth,
  type RefreshPassView,
} from '@chatgate/auth';
import type { SimAccount } from '@chatgate/chatgpt-sim';
import type { RunningService } from '@chatgate/service-kit';
import { testEnv, waitFor } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';
import { openStored } from '../support/stored-tokens.js';

/** Fast retries and few attempts keep failure cases short; Berlin makes 03:00 differ from UTC. */
const REFRESH_ENV = { SCHEDULED_REFRESH: true, REFRESH_TZ: 'Europe/Berlin', REFRESH_BACKOFF_MS: 50, REFRESH_ATTEMPTS: 3, REFRESH_RATE_PER_SEC: 50, REFRESH_CONCURRENCY: 4 };

/** The refresh queue, the passes and the daily schedule, against the simulator and real Postgres/Redis/NATS. */
describe('account refresh', () => {
  let stack: Stack;
  let db: pg.Client;
  let tenantId: string;
  let passes: RefreshPassService;
  let bootPass: RefreshPassView;
  const replicas: RunningService[] = [];

  const row = async (email: string) => (await db.query('SELECT * FROM auth.upstream_accounts WHERE email = $1', [email])).rows[0];
  const enter = (token: string) => stack.auth.app.get(AccountsService).enter(tenantId, token);
  const refreshes = (account: SimAccount) => stack.sim.stats().refreshesByAccount[account.accountId] ?? 0;
  /** Waits for the pass `find` returns once it is finished. */
  const passFinished = async (find: () => Promise<RefreshPassView | null>, what: string): Promise<RefreshPassView> =>
    (await waitFor(async () => {
      const pass = await find();
      return pass?.status === 'finished' ? pass : null;
    }, what, 20_000)) as RefreshPassView;
  const finished = (service: RefreshPassService, id: string) => passFinished(() => service.get(id), `pass ${id} to finish`);
  const runForced = async () => {
    const start = await passes.start(true, 'admin');
    if (!start.started) throw new Error(`pass not started: ${start.reason}`);
    return finished(passes, start.pass.id);
  };
  const postToken = (refreshToken: string) =>
    fetch(`${stack.sim.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'refresh_token', client_id: 'x', refresh_token: refreshToken }) });
  /** A second auth replica on the same database, Redis and NATS. */
  const startReplica = async () => {
    const replica = await startAuth(
      parseConfig(authEnv, testEnv({ DATABASE_URL: stack.databaseUrl, CHATGPT_BASE_URL: stack.sim.url, CHATGPT_AUTH_URL: stack.sim.url, CHATGPT_AUTH0_URL: stack.sim.url, CODEX_AUTH_URL: stack.sim.url, CHATGPT_JWKS_URL: stack.sim.jwksUrl, ...REFRESH_ENV })),
    );
    replicas.push(replica);
    return replica;
  };
  const closeReplicas = async () => {
    for (const replica of replicas.splice(0)) await replica.close();
  };

  beforeAll(async () => {
    stack = await startStack({ workers: 0, auth: REFRESH_ENV });
    ({ db, tenantId } = await connectStackDatabase(stack));
    passes = stack.auth.app.get(RefreshPassService);
    // The start-up pass is started after boot, without holding it.
    bootPass = await passFinished(() => passes.latest(), 'the start-up pass');
  });
  afterAll(async () => {
    await closeReplicas();
    await db?.end();
    await stack?.close();
  });
  beforeEach(async () => {
    jest.restoreAllMocks();
    await waitFor(async () => (await passes.current()) === null, 'no pass running', 20_000);
    await db.query('DELETE FROM auth.refresh_passes');
    await db.query('DELETE FROM auth.upstream_accounts');
    // Rows removed behind the service's back: tell the pool, as an admin action would.
    stack.auth.app.get(AccountPoolService).announceChanged(tenantId, []);
    stack.sim.resetStats();
  });

  it('at start runs a non-forced pass (empty here, so finished at once) and schedules the daily 03:00 check in REFRESH_TZ', async () => {
    expect(bootPass).toMatchObject({ forced: false, trigger: 'startup', status: 'finished', total: 0, done: 0, failed: 0 });
    const schedule = await stack.auth.app.get(RefreshQueue).forcedPassCheckSchedule();
    expect(schedule).toMatchObject({ pattern: '0 3 * * *', tz: 'Europe/Berlin' });
    const next = new Date(schedule!.next!);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next)).toBe('03:00');
    expect(next.getTime() - Date.now()).toBeGreaterThan(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(25 * 3600_000);
  });

  it('refreshes an account through the queue and keeps the rotated refresh token', async () => {
    const account = stack.sim.issueAccount();
    await enter(account.refreshToken);
    const before = await row(account.email);
    const oldRefreshToken = openStored(before, 'refresh_token_enc');
    stack.sim.resetStats(); // entering the token refreshed it once
    const pool = stack.auth.app.get(AccountPoolService);
    const lease = async () => {
      const reply = await pool.lease({ tenantId, model: 'gpt-4o', exclude: [], requestId: 'refresh-test' });
      return reply.ok ? reply.lease.accessToken : null;
    };
    // The pool now holds a snapshot with the old access token.
    expect(await lease()).toBe(openStored(before, 'access_token_enc'));

    expect(await runForced()).toMatchObject({ forced: true, trigger: 'admin', total: 1, done: 1, failed: 0, remaining: 0 });
    const after = await row(account.email);
    // The job announced the change: the pool dropped its snapshot and leases the new token at once.
    expect(await lease()).toBe(openStored(after, 'access_token_enc'));
    expect(after.status).toBe('active');
    expect(after.access_token_enc).not.toBe(before.access_token_enc);
    expect(after.last_refresh_at.getTime()).toBeGreaterThan(before.last_refresh_at?.getTime() ?? 0);
    const newRefreshToken = openStored(after, 'refresh_token_enc');
    expect(newRefreshToken).toMatch(/^rt_/);
    expect(newRefreshToken).not.toBe(oldRefreshToken);
    expect(refreshes(account)).toBe(1);
    // The upstream rotated the old token away; the stored one is the live one: a second pass works with it.
    expect(await (await postToken(oldRefreshToken)).json()).toMatchObject({ error: 'invalid_grant' });
    expect(await runForced()).toMatchObject({ done: 1, failed: 0 });
    expect(refreshes(account)).toBe(2);
  });

  it('marks an account whose refresh token is dead as needing a token, without retrying it', async () => {
    const account = stack.sim.issueAccount();
    const entered = await enter(account.refreshToken);
    // Someone else used the stored refresh token: the upstream rotated it away, so ours is dead.
    expect((await postToken(openStored(await row(account.email), 'refresh_token_enc'))).status).toBe(200);
    stack.sim.resetStats();

    const pass = await runForced();
    expect(pass).toMatchObject({ total: 1, done: 0, failed: 1 });
    const stored = await row(account.email);
    expect(stored.status).toBe('needs_token');
    expect(stored.last_error_message).toMatch(/invalid_grant/);
    expect(await passes.failures(pass.id)).toEqual([{ accountId: entered.accountId, email: account.email, message: stored.last_error_message }]);
    // Retries would have come after 50, 100 ms: give them time to show up, then count the token requests.
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.sim.stats().tokenRequests).toBe(1);
  });

  it('retries a transient failure with backoff and then succeeds', async () => {
    const account = stack.sim.issueAccount();
    await enter(account.refreshToken);
    stack.sim.setBehaviour(account.email, { fail: '500', times: 1 });
    stack.sim.resetStats();

    expect(await runForced()).toMatchObject({ total: 1, done: 1, failed: 0 });
    expect(stack.sim.stats().tokenRequests).toBe(2);
    expect(refreshes(account)).toBe(1);
    const stored = await row(account.email);
    expect(stored.status).toBe('active');
    expect(stored.last_error_message).toBeNull();
  });

  it('counts a transient failure as failed after the last attempt, leaving the account usable', async () => {
    const account = stack.sim.issueAccount();
    await enter(account.refreshToken);
    stack.sim.setBehaviour(account.email, { fail: '500' });
    stack.sim.resetStats();

    expect(await runForced()).toMatchObject({ total: 1, done: 0, failed: 1 });
    expect(stack.sim.stats().tokenRequests).toBe(REFRESH_ENV.REFRESH_ATTEMPTS);
    const stored = await row(account.email);
    expect(stored.status).toBe('active');
    expect(stored.last_error_message).toMatch(/500/);
  });

  it('the start-up pass refreshes only the accounts that expire within the margin', async () => {
    const soon = stack.sim.issueAccount();
    const verySoon = stack.sim.issueAccount();
    const later = stack.sim.issueAccount();
    const accessOnly = stack.sim.issueAccount({ expiresInSec: 3600 });
    const disabled = stack.sim.issueAccount();
    for (const a of [soon, verySoon, later, disabled]) await enter(a.refreshToken);
    await enter(accessOnly.accessToken);
    // The simulator mints 10-day tokens on every refresh, so entering gives 10 days: shorten them here.
    await db.query(`UPDATE auth.upstream_accounts SET access_token_expires_at = now() + interval '2 days' WHERE email = $1`, [soon.email]);
    await db.query(`UPDATE auth.upstream_accounts SET access_token_expires_at = now() + interval '1 hour' WHERE email = $1`, [verySoon.email]);
    await db.query(`UPDATE auth.upstream_accounts SET access_token_expires_at = now() + interval '1 day', status = 'disabled' WHERE email = $1`, [disabled.email]);
    stack.sim.resetStats();

    const replica = await startReplica();
    const replicaPasses = replica.app.get(RefreshPassService);
    const startup = await passFinished(async () => {
      const pass = await replicaPasses.latest();
      return pass?.trigger === 'startup' ? pass : null;
    }, 'the replica start-up pass');
    expect(startup).toMatchObject({ forced: false, total: 2, done: 2, failed: 0 });
    expect([soon, verySoon, later, accessOnly, disabled].map(refreshes)).toEqual([1, 1, 0, 0, 0]);
    const refreshed = await row(soon.email);
    expect(refreshed.access_token_expires_at.getTime()).toBeGreaterThan(Date.now() + 9 * 86_400_000);
    expect((await row(disabled.email)).status).toBe('disabled');
    await closeReplicas();
  });

  it('a forced pass refreshes every account with a refresh or session token exactly once, one pass at a time', async () => {
    const withRefresh = Array.from({ length: 20 }, () => stack.sim.issueAccount());
    const withSession = stack.sim.issueAccount();
    const accessOnly = stack.sim.issueAccount();
    const disabled = stack.sim.issueAccount();
    for (const a of [...withRefresh, disabled]) await enter(a.refreshToken);
    await enter(withSession.sessionToken);
    await enter(accessOnly.accessToken);
    await db.query(`UPDATE auth.upstream_accounts SET status = 'disabled' WHERE email = $1`, [disabled.email]);
    const sessionBefore = await row(withSession.email);
    stack.sim.resetStats();

    const [a, b] = await Promise.all([passes.start(true, 'admin'), passes.start(true, 'admin')]);
    const started = [a, b].filter((r) => r.started);
    expect(started).toHaveLength(1);
    expect([a, b].find((r) => !r.started)).toMatchObject({ started: false, reason: 'running' });
    const pass = await finished(passes, started[0].pass!.id);
    expect(pass).toMatchObject({ total: 21, done: 21, failed: 0 });
    expect(withRefresh.map(refreshes)).toEqual(withRefresh.map(() => 1));
    expect(stack.sim.stats().refreshes).toBe(20);
    const sessionAfter = await row(withSession.email);
    expect(sessionAfter.last_refresh_at).not.toBeNull();
    expect(sessionAfter.session_token_enc).not.toBe(sessionBefore.session_token_enc);
    expect((await row(accessOnly.email)).last_refresh_at).toBeNull();
    expect(await passes.latest()).toMatchObject({ id: pass.id, status: 'finished' });
    expect(await passes.current()).toBeNull();
  });

  it('the daily check with a controlled clock: first forced pass, nothing when recent or after a restart, forced again on the fourth day across DST', async () => {
    const accounts = [stack.sim.issueAccount(), stack.sim.issueAccount()];
    for (const a of accounts) await enter(a.refreshToken);
    stack.sim.resetStats();
    const schedule = stack.auth.app.get(RefreshScheduleService);
    let now = new Date('2030-03-27T02:00:00Z'); // 03:00 CET in Berlin
    jest.spyOn(stack.auth.app.get(RefreshClock), 'now').mockImplementation(() => now);

    // No forced pass yet: one runs.
    const first = await schedule.runScheduledCheck();
    expect(first).toMatchObject({ action: 'started', pass: { forced: true, trigger: 'schedule', scheduleDay: '2030-03-27', total: 2 } });
    await finished(passes, (first as { pass: RefreshPassView }).pass.id);

    // A restart the same morning runs the check again: nothing; and the day itself is taken in the database.
    now = new Date('2030-03-27T02:10:00Z');
    expect(await schedule.runScheduledCheck()).toEqual({ action: 'skipped', reason: 'recent' });
    expect(await passes.startScheduled('2030-03-27')).toMatchObject({ started: false, reason: 'day_taken' });

    // Three days later (03:00 CEST, the clocks went forward on the 30th): still recent.
    now = new Date('2030-03-30T01:00:00Z');
    expect(await schedule.runScheduledCheck()).toEqual({ action: 'skipped', reason: 'recent' });

    // The fourth day at 03:00 CEST is only 95 hours later, and due: fired through the queue, as the scheduler does.
    now = new Date('2030-03-31T01:00:00Z');
    await stack.auth.app.get(RefreshQueue).queue.add('forced-pass-check', {});
    const second = await passFinished(async () => {
      const pass = await passes.latest();
      return pass?.scheduleDay === '2030-03-31' ? pass : null;
    }, 'the forced pass of 31 March');
    expect(second).toMatchObject({ forced: true, trigger: 'schedule', total: 2, done: 2 });
    expect(accounts.map(refreshes)).toEqual([2, 2]);
    expect((await db.query(`SELECT count(*)::int AS n FROM auth.refresh_passes WHERE forced`)).rows[0].n).toBe(2);
  });

  it('two replicas firing the daily check at the same moment start one forced pass', async () => {
    await enter(stack.sim.issueAccount().refreshToken);
    const startupPasses = async () => (await db.query(`SELECT count(*)::int AS n FROM auth.refresh_passes WHERE trigger = 'startup'`)).rows[0].n as number;
    const before = await startupPasses();
    const replica = await startReplica();
    // A new replica opens a start-up pass in the background after it starts; while one runs, a due check is deferred.
    await waitFor(async () => (await startupPasses()) > before && (await passes.current()) === null, "the new replica's start-up pass to finish", 20_000);
    const now = new Date('2030-04-04T01:00:00Z');
    jest.spyOn(stack.auth.app.get(RefreshClock), 'now').mockReturnValue(now);
    jest.spyOn(replica.app.get(RefreshClock), 'now').mockReturnValue(now);

    const results = await Promise.all([stack.auth.app.get(RefreshScheduleService).runScheduledCheck(), replica.app.get(RefreshScheduleService).runScheduledCheck()]);
    expect(results.map((r) => r.action).sort()).toEqual(['skipped', 'started']);
    expect((await db.query(`SELECT count(*)::int AS n FROM auth.refresh_passes WHERE forced`)).rows[0].n).toBe(1);
    await waitFor(async () => (await passes.current()) === null, 'the pass to finish', 20_000);
    await closeReplicas();
  });

  it('two replicas never refresh one account twice: one job id per account, one pass at a time', async () => {
    const replica = await startReplica();
    const accounts = Array.from({ length: 30 }, () => stack.sim.issueAccount());
    const ids: string[] = [];
    for (const a of accounts) ids.push((await enter(a.refreshToken)).accountId);
    stack.sim.resetStats();
    const queues = [stack.auth.app.get(RefreshQueue), replica.app.get(RefreshQueue)];
    // Hold the jobs so that every add below meets the pending ones.
    await queues[0].queue.pause();
    try {
      const starts = await Promise.all([passes.start(true, 'admin'), replica.app.get(RefreshPassService).start(true, 'admin')]);
      expect(starts.filter((s) => s.started)).toHaveLength(1);
      // Both replicas queue every account again (as overlapping triggers would): BullMQ keeps one job per account.
      await Promise.all(queues.map((q) => q.enqueueAccounts(ids, null, true)));
      const pending = await queues[1].queue.getJobs(['waiting', 'prioritized', 'active', 'delayed']);
      // (The daily check's next run waits among the delayed jobs too.)
      expect(pending.filter((job) => job.name === 'refresh-account')).toHaveLength(30);
    } finally {
      await queues[0].queue.resume();
    }
    const pass = await passFinished(() => passes.latest(), 'the pass to finish');
    expect(pass).toMatchObject({ total: 30, done: 30, failed: 0 });
    expect(accounts.map(refreshes)).toEqual(accounts.map(() => 1));
    // Any second refresh of a token would have been refused (invalid_grant) or counted above.
    expect(stack.sim.stats().tokenRequests).toBe(30);
    await closeReplicas();
  });

  it('closes a pass that stopped making progress, so that passes can start again', async () => {
    const stuck = (
      await db.query(
        `INSERT INTO auth.refresh_passes (forced, trigger, status, total, done, started_at, updated_at) VALUES (true, 'admin', 'running', 3, 1, now() - interval '2 hours', now() - interval '1 hour') RETURNING id`,
      )
    ).rows[0].id;
    await db.query(`INSERT INTO auth.refresh_pass_accounts (pass_id, account_id) VALUES ($1, gen_random_uuid()), ($1, gen_random_uuid())`, [stuck]);
    const result = await passes.start(false, 'admin');
    expect(result).toMatchObject({ started: true, pass: { total: 0, status: 'finished' } });
    expect(await passes.get(stuck)).toMatchObject({ status: 'finished', done: 1, failed: 2 });
  });
});
