/**
 * The Lua scripts the Redis transport runs (EVALSHA, loaded on first use). Each is atomic, which is
 * what makes publishing idempotent per sender and keeps the active set's hash and index in step.
 * Redis 7.0 commands only (Debian 12).
 */

/**
 * KEYS: stream, senders hash. ARGV: maxlen, sender, then (seq, payload, sig) triples in order.
 * Adds only sequence numbers above the sender's last one; returns how many it added.
 */
export const PUBLISH = `
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
local added = 0
for i = 3, #ARGV, 3 do
  local seq = tonumber(ARGV[i])
  if seq > last then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'p', ARGV[i + 1], 's', ARGV[i + 2])
    last = seq
    added = added + 1
  end
end
redis.call('HSET', KEYS[2], ARGV[2], last)
return added`;

/**
 * KEYS: active hash (key -> payload NL sig), its index by end time (sorted set). ARGV: now, then
 * (key, until, payload, sig) quadruples. Also drops up to 1000 ended bans, so the set needs no
 * timer of its own and no keyspace notification.
 */
export const PUT_ACTIVE = `
for i = 2, #ARGV, 4 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2] .. '\\n' .. ARGV[i + 3])
  redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
end
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 1000)
if #ended > 0 then
  redis.call('HDEL', KEYS[1], unpack(ended))
  redis.call('ZREM', KEYS[2], unpack(ended))
end
return #ended`;

/** KEYS: active hash, index. ARGV: keys to drop. */
export const REMOVE_ACTIVE = `
if #ARGV > 0 then
  redis.call('HDEL', KEYS[1], unpack(ARGV))
  redis.call('ZREM', KEYS[2], unpack(ARGV))
end
return #ARGV`;
