/**
 * A key's requests and tokens per minute, in Redis, per (tenant, credential): a sorted set of the
 * minute's requests (request id → when it was taken, Redis's clock) and a hash of their tokens
 * (request id → the prompt estimate at first, the real count once the usage event is stored).
 *
 * RATE_TAKE_LUA: KEYS[1] the set, KEYS[2] the hash; ARGV[1] request id, [2] rpm (0: none),
 * [3] tpm (0: none), [4] the request's tokens, [5] the window (ms). Forgets what left the window,
 * then admits only when both the count and the tokens have room, and takes them, atomically.
 * Returns {1, 0, 0} taken (also for a request id that already holds its entry); {0, ms, 1} refused
 * by RPM, {0, ms, 2} by TPM (ms until enough leaves the window); {0, -1, 2} a request larger than the
 * TPM itself (it never fits).
 */
export const RATE_TAKE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = ARGV[1]
local rpm = tonumber(ARGV[2])
local tpm = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
if #gone > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  redis.call('HDEL', KEYS[2], unpack(gone))
end
if redis.call('ZSCORE', KEYS[1], id) then return {1, 0, 0} end
if rpm > 0 then
  local n = redis.call('ZCARD', KEYS[1])
  if n >= rpm then
    -- room for one more once the (n - rpm + 1) oldest have left
    local e = redis.call('ZRANGE', KEYS[1], n - rpm, n - rpm, 'WITHSCORES')
    return {0, tonumber(e[2]) + window - now, 1}
  end
end
if tpm > 0 then
  if tokens > tpm then return {0, -1, 2} end
  local used = 0
  for _, v in ipairs(redis.call('HVALS', KEYS[2])) do used = used + tonumber(v) end
  if used + tokens > tpm then
    local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
    local freed = 0
    for i = 1, #entries, 2 do
      freed = freed + tonumber(redis.call('HGET', KEYS[2], entries[i]) or '0')
      if used - freed + tokens <= tpm then return {0, tonumber(entries[i + 1]) + window - now, 2} end
    end
    return {0, window, 2}
  end
end
redis.call('ZADD', KEYS[1], now, id)
redis.call('HSET', KEYS[2], id, tokens)
redis.call('PEXPIRE', KEYS[1], window + 1000)
redis.call('PEXPIRE', KEYS[2], window + 1000)
return {1, 0, 0}
`;

/**
 * The request's real tokens replace its estimate, while it is still in the window (a request that
 * ended after its minute counts no more). KEYS[1] the hash; ARGV[1] request id, [2] tokens.
 */
export const RATE_SETTLE_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
`;
