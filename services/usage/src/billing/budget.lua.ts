/**
 * Budgets in Redis, per subject (a user or a key of a tenant):
 * - `…:held` sorted set: request id → when its hold lapses (epoch ms, Redis's clock);
 * - `…:hold` hash: request id → micro-USD held;
 * - `…:spent:<period>` counter: micro-USD spent in that day, month, or ever (`all`).
 *
 * BUDGET_TAKE_LUA admits a request only when, in every subject, spent + held + this hold ≤ budget,
 * and then holds it in all of them, atomically: exact however many requests arrive at once.
 * KEYS: per subject i (0-based) held, hold, spent-of-the-budget's-period at 3i+1..3i+3.
 * ARGV[1] request id, [2] hold (micro-USD), [3] hold lifetime (ms), [4] subjects, then each budget.
 * Returns {1, 0} admitted (also for a request id that already holds), {0, i} refused by subject i (1-based).
 * A hold of 0 (a model free on its upstream) is checked but not recorded: no event would settle it.
 */
export const BUDGET_TAKE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local hold = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local lapsed = redis.call('ZRANGEBYSCORE', KEYS[3 * i + 1], '-inf', now)
  if #lapsed > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[3 * i + 1], '-inf', now)
    redis.call('HDEL', KEYS[3 * i + 2], unpack(lapsed))
  end
end
if redis.call('ZSCORE', KEYS[1], id) then return {1, 0} end
for i = 0, n - 1 do
  local used = tonumber(redis.call('GET', KEYS[3 * i + 3]) or '0')
  for _, v in ipairs(redis.call('HVALS', KEYS[3 * i + 2])) do used = used + tonumber(v) end
  if used + hold > tonumber(ARGV[5 + i]) then return {0, i + 1} end
end
if hold == 0 then return {1, 0} end
for i = 0, n - 1 do
  redis.call('ZADD', KEYS[3 * i + 1], now + ttl, id)
  redis.call('HSET', KEYS[3 * i + 2], id, hold)
  redis.call('PEXPIRE', KEYS[3 * i + 1], ttl)
  redis.call('PEXPIRE', KEYS[3 * i + 2], ttl)
end
return {1, 0}
`;

/**
 * Settles a request: its holds go and its real cost is added to the day, month and all-time
 * counters of every subject, in one step (never both a hold and its cost, never neither). The
 * cost is added once per request id (a marker key), so a redelivered event adds nothing.
 * KEYS[1] the marker; per subject i: held, hold, spent day, spent month, spent all at 5i+2..5i+6.
 * ARGV[1] request id, [2] cost (micro-USD, integer), [3] marker lifetime, [4] subjects,
 * [5] day counter lifetime, [6] month counter lifetime (ms). Returns 1 when the cost was added.
 */
export const BUDGET_SETTLE_LUA = `
local id = ARGV[1]
local cost = tonumber(ARGV[2])
local n = tonumber(ARGV[4])
local add = false
if cost > 0 then add = redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[3]) end
for i = 0, n - 1 do
  local b = 5 * i + 2
  redis.call('ZREM', KEYS[b], id)
  redis.call('HDEL', KEYS[b + 1], id)
  if add then
    redis.call('INCRBY', KEYS[b + 2], ARGV[2])
    redis.call('PEXPIRE', KEYS[b + 2], ARGV[5])
    redis.call('INCRBY', KEYS[b + 3], ARGV[2])
    redis.call('PEXPIRE', KEYS[b + 3], ARGV[6])
    redis.call('INCRBY', KEYS[b + 4], ARGV[2])
  end
end
if add then return 1 end
return 0
`;
