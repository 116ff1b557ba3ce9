/**
 * One sorted set per (tenant, user, model): members are request ids, scores the time the slot was
 * taken. Every limit of the model is a window over the same set, so a request takes one slot
 * that all windows count. Runs atomically in Redis, on Redis's clock (replicas of the usage
 * service may disagree about the time; Redis does not disagree with itself).
 *
 * KEYS[1] the set; ARGV[1] the request id; ARGV[2] how many windows; then per window: ms, count.
 * Returns {1, 0} when the slot was taken (or already held by this request id), {0, ms} when
 * refused: ms until the window that blocks longest frees a slot.
 */
export const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[2])
local longest = 0
for i = 0, n - 1 do
  local w = tonumber(ARGV[3 + 2 * i])
  if w > longest then longest = w end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {1, 0} end
local wait = 0
for i = 0, n - 1 do
  local w = tonumber(ARGV[3 + 2 * i])
  local c = tonumber(ARGV[4 + 2 * i])
  local from = '(' .. string.format('%d', now - w)
  local held = redis.call('ZCOUNT', KEYS[1], from, '+inf')
  if held >= c then
    local freeIn = w
    if c > 0 then
      -- the slot that must leave for one to be free: the (held - c + 1)-th oldest in the window
      local e = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', held - c, 1)
      freeIn = tonumber(e[2]) + w - now
    end
    if freeIn > wait then wait = freeIn end
  end
end
if wait > 0 then return {0, wait} end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], longest)
return {1, 0}
`;
