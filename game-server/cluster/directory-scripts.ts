// The room directory's Lua scripts (room-directory.ts runs them). Each runs
// atomically inside Redis, so no two processes can interleave a check and
// its write. Every expiry is computed from Redis's own clock (`TIME`), never
// from the calling process's: a process whose clock is seconds off can
// neither prune another's live rooms nor keep its own reservations alive.
//
// Entries are JSON written by our processes, but Redis may hold anything (a
// mistake, or someone with write access): scripts decode with pcall and
// treat what does not decode as absent, and Node validates what it reads.

/** `now` in ms from Redis's clock; every script starts with it. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function decode(text)
  if not text then return nil end
  local ok, value = pcall(cjson.decode, text)
  if ok and type(value) == 'table' then return value end
  return nil
end`;

/**
 * Registers this server. KEYS: server:{id}, servers index.
 * ARGV: entry JSON, id, ttl ms.
 */
export const REGISTER_SERVER = `${NOW}
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[2])
return 1`;

/**
 * Claims room:{name} for this server, or refreshes it. KEYS: room:{name},
 * rooms index. ARGV: entry JSON (without `since`), server id, ttl ms, name,
 * when this server first claimed the name ('' for a new room), key prefix.
 * Returns {1, entry} when the name is ours now, else {0, the owner's entry}.
 *
 * The owner is the server whose claim is oldest (`since`, Redis time): if two
 * processes ever both host one name (the owner stalled past the expiry and
 * another opened it meanwhile), the one that had it first keeps it, and the
 * newcomer moves its players there. Players seated in a copy cannot win the
 * name from a live owner, however many. A new room never takes a live name.
 * An entry that does not decode, or names a server that is not registered
 * at the entry's URL (dead, planted, or never was), is no owner at all.
 */
export const CLAIM_ROOM = `${NOW}
local owner = decode(redis.call('GET', KEYS[1]))
if owner and type(owner.serverId) == 'string' and owner.serverId ~= ARGV[2] then
  local server = decode(redis.call('GET', ARGV[6] .. 'server:' .. owner.serverId))
  local live = server and server.url == owner.url
  local ours, theirs = tonumber(ARGV[5]), tonumber(owner.since)
  if live and (not ours or (theirs and theirs <= ours)) then return { 0, cjson.encode(owner) } end
end
local entry = cjson.decode(ARGV[1])
if owner and owner.serverId == ARGV[2] and tonumber(owner.since) then
  entry.since = tonumber(owner.since)
else
  entry.since = tonumber(ARGV[5]) or now
end
local text = cjson.encode(entry)
redis.call('SET', KEYS[1], text, 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
return { 1, text }`;

/** Deletes room:{name} only if this server owns it. KEYS: room:{name}, rooms index. ARGV: server id, name. */
export const RELEASE_ROOM = `${NOW}
local owner = decode(redis.call('GET', KEYS[1]))
if owner and owner.serverId == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 0`;

/** Drops expired members from an index and returns the live ones. KEYS: index. ARGV: most to return. */
export const LIVE_MEMBERS = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)`;

/**
 * Holds a seat in a room for a player on the way there, if the room has one
 * (players + live reservations < capacity) and the asking address holds
 * fewer than its share of reservations, in all and in this room.
 * KEYS: room:{name}, reserved:{name}, seat:{token}, reserved-by:{address}.
 * ARGV: token, ttl ms, room name, address, most per address, most per address in one room.
 * Returns 'ok', 'full', 'gone' or 'address'.
 */
export const RESERVE_SEAT = `${NOW}
local room = decode(redis.call('GET', KEYS[1]))
if not room or type(room.serverId) ~= 'string' then return 'gone' end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local held = redis.call('ZRANGE', KEYS[4], 0, -1)
if #held >= tonumber(ARGV[5]) then return 'address' end
local inRoom = 0
local prefix = ARGV[3] .. '\\n'
for _, member in ipairs(held) do
  if string.sub(member, 1, #prefix) == prefix then inRoom = inRoom + 1 end
end
if inRoom >= tonumber(ARGV[6]) then return 'address' end
if (tonumber(room.players) or 0) + redis.call('ZCARD', KEYS[2]) >= (tonumber(room.capacity) or 0) then return 'full' end
local expires = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], expires, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[4], expires, prefix .. ARGV[1])
redis.call('PEXPIRE', KEYS[4], ARGV[2])
redis.call('SET', KEYS[3], cjson.encode({ room = ARGV[3], serverId = room.serverId, address = ARGV[4] }), 'PX', ARGV[2])
return 'ok'`;

/**
 * Takes a reservation: once per token, and only by the process that owns the
 * room now and owned it when the seat was reserved. A token shown anywhere
 * else is spent all the same (its seat is freed), but seats nobody.
 * KEYS: seat:{token}, room:{name}. ARGV: token, room name, this server's id, key prefix.
 * Returns 1 when the seat is the caller's to give.
 */
export const TAKE_SEAT = `${NOW}
local seat = decode(redis.call('GETDEL', KEYS[1]))
if not seat then return 0 end
if type(seat.room) == 'string' then
  redis.call('ZREM', ARGV[4] .. 'reserved:' .. seat.room, ARGV[1])
  if type(seat.address) == 'string' then
    redis.call('ZREM', ARGV[4] .. 'reserved-by:' .. seat.address, seat.room .. '\\n' .. ARGV[1])
  end
end
if seat.room ~= ARGV[2] or seat.serverId ~= ARGV[3] then return 0 end
local owner = decode(redis.call('GET', KEYS[2]))
if not owner or owner.serverId ~= ARGV[3] then return 0 end
return 1`;

/**
 * Gives a reservation back unused (the player never got the redirect, or it
 * came too late to count): its seat is free again at once.
 * KEYS: seat:{token}. ARGV: token, key prefix.
 */
export const RELEASE_SEAT = `${NOW}
local seat = decode(redis.call('GETDEL', KEYS[1]))
if seat and type(seat.room) == 'string' then
  redis.call('ZREM', ARGV[2] .. 'reserved:' .. seat.room, ARGV[1])
  if type(seat.address) == 'string' then
    redis.call('ZREM', ARGV[2] .. 'reserved-by:' .. seat.address, seat.room .. '\\n' .. ARGV[1])
  end
end
return 0`;

/** Live reservations for a room. KEYS: reserved:{name}. */
export const COUNT_RESERVATIONS = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;

/**
 * A token bucket shared by every process (joins and chat per address): the
 * same rule as token-bucket.ts, kept in Redis and timed by Redis's clock.
 * KEYS: budget:{kind}:{address}. ARGV: burst, refill per s.
 * Returns 1 when a token was taken.
 */
export const TAKE_TOKEN = `${NOW}
local burst = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1]) or burst
local at = tonumber(stored[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * refill / 1000)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / refill * 1000) + 1000)
return taken`;

/**
 * Publishes what each address holds on this server (players in arenas,
 * rooms it opened), so other processes count it against the same bounds.
 * ARGV: key prefix, server id, ttl ms, then address, seats, rooms … repeated.
 * An address with nothing left is removed.
 */
export const PUBLISH_HOLDINGS = `${NOW}
local prefix, id, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 4, #ARGV, 3 do
  local held = prefix .. 'holds:' .. ARGV[i]
  local holders = prefix .. 'holders:' .. ARGV[i]
  if tonumber(ARGV[i + 1]) == 0 and tonumber(ARGV[i + 2]) == 0 then
    redis.call('HDEL', held, id)
    redis.call('ZREM', holders, id)
  else
    redis.call('HSET', held, id, ARGV[i + 1] .. ',' .. ARGV[i + 2])
    redis.call('ZADD', holders, now + ttl, id)
    redis.call('PEXPIRE', held, ttl)
    redis.call('PEXPIRE', holders, ttl)
  end
end
return 1`;

/**
 * What an address holds on every other live server: {seats, rooms}.
 * KEYS: holds:{address}, holders:{address}. ARGV: this server's id.
 */
export const READ_HOLDINGS = `${NOW}
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do redis.call('HDEL', KEYS[1], gone) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local seats, rooms = 0, 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if id ~= ARGV[1] then
    local value = redis.call('HGET', KEYS[1], id)
    if value then
      local s, r = string.match(value, '^(%d+),(%d+)$')
      seats = seats + (tonumber(s) or 0)
      rooms = rooms + (tonumber(r) or 0)
    end
  end
end
return { seats, rooms }`;
