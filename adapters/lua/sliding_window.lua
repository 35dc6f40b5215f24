-- For each key: trim what left its window and count. Only if every key is under its limit, add
-- the attempt to all of them (a refused attempt is counted nowhere). Then report, per key, the
-- count, whether it was full, and when its oldest attempt leaves the window. Atomic: N
-- concurrent calls against a limit L admit exactly L.
-- KEYS: the keys. ARGV: now_ms, member, then window_ms and limit for each key.

local now = tonumber(ARGV[1])
local member = ARGV[2]
local counts, full, admit = {}, {}, 1
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[1 + 2 * i])
  local limit = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  counts[i] = redis.call('ZCARD', key)
  full[i] = counts[i] >= limit and 1 or 0
  if full[i] == 1 then admit = 0 end
end
local out = {admit}
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[1 + 2 * i])
  if admit == 1 then
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, window)
    counts[i] = counts[i] + 1
  end
  local reset = 0
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if oldest[2] then reset = tonumber(oldest[2]) + window - now end
  out[#out + 1] = counts[i]
  out[#out + 1] = full[i]
  out[#out + 1] = reset
end
return out
