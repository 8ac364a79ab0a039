// The Lua scripts, one per operation; redis-sync.ts's header says how they
// fit together. Every script gets the same four keys of one primitive, all
// under one hash tag:
//
//   KEYS[1] meta     hash: permits or parties, token (fencing counter),
//                    seq (arrival counter), flag (event), broken (barrier),
//                    quiet (server ms: no grants before, after data loss)
//   KEYS[2] queue    zset: waiter id -> arrival number (FIFO order)
//   KEYS[3] holders  zset: hold id -> lease deadline, server ms
//   KEYS[4] alive    hash: instance id -> "<deadline ms> <lease ms>"
//
// A waiter id is "<instance>|<n>"; a grant keeps that id as its hold id.
// Mailboxes are lists `<base>:mb:<instance>` (base: KEYS[1] without its
// ":m"), in the same hash tag, so in the same slot: a script names the
// mailbox of whichever waiter it grants, which the caller cannot know.
// Replies are arrays whose first element says what happened; the client
// turns them into results and errors.

// Shared by every script: the server clock, reaping, hand-off.
const prelude = `
local meta, queue, holders, alive = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local base = string.sub(meta, 1, -3)

-- A key of the wrong type fails the script before it writes anything:
-- Redis does not roll a script back, so the state stays as it was.
local types = {{meta, 'hash'}, {queue, 'zset'}, {holders, 'zset'}, {alive, 'hash'}}
for _, key in ipairs(types) do
  local found = redis.call('TYPE', key[1])['ok']
  if found ~= 'none' and found ~= key[2] then
    return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
  end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function instance_of(id) return string.match(id, '^(.*)|') end
local function mailbox(id) return base .. ':mb:' .. instance_of(id) end

-- A count (field "permits" or "parties") is set by the first call; another
-- one is refused.
local function count_mismatch(field, count)
  local stored = redis.call('HGET', meta, field)
  if not stored then redis.call('HSET', meta, field, count) return false end
  if stored ~= count then return stored end
  return false
end

-- Expired holders leave; instances that stopped heartbeating lose their waiters.
local function reap()
  redis.call('ZREMRANGEBYSCORE', holders, '-inf', now)
  local flat = redis.call('HGETALL', alive)
  local dead = nil
  for i = 1, #flat, 2 do
    if tonumber(string.match(flat[i + 1], '^(%d+)')) <= now then
      dead = dead or {}
      dead[flat[i]] = true
      redis.call('HDEL', alive, flat[i])
    end
  end
  if dead then
    for _, id in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
      if dead[instance_of(id)] then redis.call('ZREM', queue, id) end
    end
  end
end

local function lease_of(id)
  local entry = redis.call('HGET', alive, instance_of(id))
  return entry and tonumber(string.match(entry, ' (%d+)$'))
end

-- The first grant on a meta hash starts the fencing counter at the server
-- clock in microseconds (below 2^53), not 0: tokens keep rising across a
-- restart that lost the data, for as long as the clock does. The token is
-- returned as a string: Lua prints a number that large with 14 digits.
local function grant(id, lease)
  redis.call('ZADD', holders, now + lease, id)
  if redis.call('HEXISTS', meta, 'token') == 0 then
    redis.call('HSET', meta, 'token', t[1] .. string.format('%06d', tonumber(t[2])))
  end
  redis.call('HINCRBY', meta, 'token', 1)
  return redis.call('HGET', meta, 'token')
end

-- Milliseconds left of the quiet period, 0 outside one.
local function quiet_left()
  local quiet = tonumber(redis.call('HGET', meta, 'quiet') or '0')
  if quiet > now then return quiet - now end
  return 0
end

-- Called first by a script from an instance with state here (waiters,
-- holds): a missing meta hash means the server lost the primitive's data,
-- and holders it no longer knows of may believe they hold until their
-- leases run out. No grants for one lease: a quiet period.
local function recreate(lease)
  if redis.call('EXISTS', meta) == 0 then redis.call('HSET', meta, 'quiet', now + lease) end
end

-- Hand free permits to the head waiters, in arrival order, pushing each
-- grant to its process's mailbox. Only semaphores (and locks) have permits.
-- Nothing during a quiet period.
local function wake()
  if quiet_left() > 0 then return end
  local count = tonumber(redis.call('HGET', meta, 'permits') or '0')
  local free = count - redis.call('ZCARD', holders)
  while free > 0 do
    local head = redis.call('ZRANGE', queue, 0, 0)[1]
    if not head then return end
    redis.call('ZREM', queue, head)
    local lease = lease_of(head)
    if lease then
      redis.call('RPUSH', mailbox(head), head .. ' ' .. grant(head, lease))
      free = free - 1
    end
  end
end

-- Takes back whatever was pushed to a waiter that has left.
local function unsend(id)
  local box = mailbox(id)
  for _, message in ipairs(redis.call('LRANGE', box, 0, -1)) do
    if string.sub(message, 1, #id + 1) == id .. ' ' then redis.call('LREM', box, 1, message) end
  end
end

local function enqueue(id, lease)
  redis.call('ZADD', queue, redis.call('HINCRBY', meta, 'seq', 1), id)
  redis.call('HSET', alive, instance_of(id), (now + lease) .. ' ' .. lease)
end

-- Milliseconds until a grant may become possible: the end of the quiet
-- period or of the first holder's lease, whichever is later; -1 if neither.
local function next_expiry()
  local first = redis.call('ZRANGE', holders, 0, 0, 'WITHSCORES')
  local left = quiet_left()
  if first[2] then left = math.max(left, tonumber(first[2]) - now) end
  if left > 0 or first[2] then return left end
  return -1
end
`;

/** A script with its name, for errors and the SHA cache. */
export interface Script {
  readonly name: string;
  readonly source: string;
}

const script = (name: string, body: string): Script => ({ name, source: `${prelude}\n${body}` });

/**
 * acquire: ARGV id, count, lease ms, mode ("wait" | "try"). Idempotent: a
 * request for an id the server already has replies "queued".
 * Replies {"count", stored} (another count: nothing changed), {"done",
 * token}, {"busy"} (mode "try", nothing changed) or {"queued", ms until a
 * grant may become possible (next_expiry)}. Grants nothing during a quiet
 * period.
 */
export const acquire = script(
  "acquire",
  `
local id, lease = ARGV[1], tonumber(ARGV[3])
local stored = count_mismatch('permits', ARGV[2])
if stored then return {'count', stored} end
reap()
wake()
-- The same request again (a client resends what a dropped connection left
-- unanswered): already queued, or granted, whose message says so.
if redis.call('ZSCORE', queue, id) or redis.call('ZSCORE', holders, id) then
  return {'queued', next_expiry()}
end
if redis.call('ZCARD', queue) == 0 and redis.call('ZCARD', holders) < tonumber(ARGV[2]) and quiet_left() == 0 then
  return {'done', grant(id, lease)}
end
if ARGV[4] == 'try' then return {'busy'} end
enqueue(id, lease)
return {'queued', next_expiry()}
`,
);

/** release: ARGV hold id. Replies 1 if the hold was there, 0 if it had expired. */
export const release = script(
  "release",
  `
reap()
local removed = redis.call('ZREM', holders, ARGV[1])
wake()
return removed
`,
);

/**
 * renew: ARGV hold id, lease ms. Replies 1 and extends the lease, or 0 if the
 * hold is gone (starting a quiet period if the primitive's data is gone).
 */
export const renew = script(
  "renew",
  `
recreate(tonumber(ARGV[2]))
reap()
if not redis.call('ZSCORE', holders, ARGV[1]) then
  wake()
  return 0
end
redis.call('ZADD', holders, now + tonumber(ARGV[2]), ARGV[1])
return 1
`,
);

/**
 * cancel: ARGV waiter id. Takes the waiter out of the queue; if it was
 * granted in the meantime, releases that grant and takes back its message,
 * so the permit passes on. Replies 1 (was queued), 2 (was granted) or 0.
 */
export const cancel = script(
  "cancel",
  `
local id = ARGV[1]
reap()
local outcome = 0
if redis.call('ZREM', queue, id) == 1 then
  outcome = 1
else
  if redis.call('ZREM', holders, id) == 1 then outcome = 2 end
  unsend(id)
end
wake()
return outcome
`,
);

/**
 * heartbeat: ARGV instance, lease ms, permits (or "" but for semaphores),
 * then the ids of the instance's queued waiters (semaphores only). Keeps the
 * instance alive here, and puts back at the tail any of those waiters that
 * the server no longer has, neither queued nor granted (reaped while this
 * process was cut off, or lost with the server's data, permits included;
 * then no grants for one lease, the quiet period, as old holders may still
 * believe they hold). Replies {requeued, ms until a grant may become
 * possible (next_expiry) or -1}.
 */
export const heartbeat = script(
  "heartbeat",
  `
local lease = tonumber(ARGV[2])
if ARGV[3] ~= '' then
  recreate(lease)
  redis.call('HSETNX', meta, 'permits', ARGV[3])
end
redis.call('HSET', alive, ARGV[1], (now + lease) .. ' ' .. lease)
reap()
local requeued = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  if not redis.call('ZSCORE', queue, id) and not redis.call('ZSCORE', holders, id) then
    unsend(id)
    enqueue(id, lease)
    requeued = requeued + 1
  end
end
wake()
return {requeued, next_expiry()}
`,
);

/**
 * inspect: ARGV "permits" | "parties" | "" (an event), then the count. Reaps, hands off, and replies
 * {"count", stored} or {holders, queued, flag, broken}.
 */
export const inspect = script(
  "inspect",
  `
if ARGV[1] ~= '' then
  local stored = count_mismatch(ARGV[1], ARGV[2])
  if stored then return {'count', stored} end
end
reap()
wake()
return {redis.call('ZCARD', holders), redis.call('ZCARD', queue),
  redis.call('HGET', meta, 'flag') or '', redis.call('HGET', meta, 'broken') or ''}
`,
);

/** eventWait: ARGV id, lease ms, mode. Replies {"done", "set"}, {"busy"} or {"queued"}. */
export const eventWait = script(
  "eventWait",
  `
reap()
if redis.call('HGET', meta, 'flag') then return {'done', 'set'} end
if redis.call('ZSCORE', queue, ARGV[1]) then return {'queued'} end
if ARGV[3] == 'try' then return {'busy'} end
enqueue(ARGV[1], tonumber(ARGV[2]))
return {'queued'}
`,
);

/** eventSet: no ARGV. Sets the flag and pushes a wake-up to every waiter. */
export const eventSet = script(
  "eventSet",
  `
reap()
redis.call('HSET', meta, 'flag', '1')
for _, id in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
  redis.call('RPUSH', mailbox(id), id .. ' set')
end
redis.call('DEL', queue)
return 1
`,
);

/** eventClear: no ARGV. Unsets the flag. */
export const eventClear = script(
  "eventClear",
  `
redis.call('HDEL', meta, 'flag')
return 1
`,
);

/**
 * barrierWait: ARGV id, parties, lease ms, mode. The last party releases
 * the cycle: every queued waiter gets its position, in arrival order, and
 * the queue empties for the next cycle. Replies {"count", stored},
 * {"done", "abort"} (broken), {"busy"}, {"queued"} or {"done", position}.
 * Waiters get "<id> <position>" in their mailboxes.
 */
export const barrierWait = script(
  "barrierWait",
  `
local stored = count_mismatch('parties', ARGV[2])
if stored then return {'count', stored} end
reap()
if redis.call('HGET', meta, 'broken') then return {'done', 'abort'} end
if redis.call('ZSCORE', queue, ARGV[1]) then return {'queued'} end
local waiting = redis.call('ZRANGE', queue, 0, -1)
if #waiting + 1 < tonumber(ARGV[2]) then
  if ARGV[4] == 'try' then return {'busy'} end
  enqueue(ARGV[1], tonumber(ARGV[3]))
  return {'queued'}
end
for position, id in ipairs(waiting) do
  redis.call('RPUSH', mailbox(id), id .. ' ' .. (position - 1))
end
redis.call('DEL', queue)
return {'done', #waiting}
`,
);

/**
 * barrierBreak: ARGV parties, "reset" or "abort". Every queued waiter is
 * told (it rejects with BrokenBarrierError); "abort" sets broken, "reset"
 * clears it. Replies {"count", stored} or {"done"}.
 */
export const barrierBreak = script(
  "barrierBreak",
  `
local stored = count_mismatch('parties', ARGV[1])
if stored then return {'count', stored} end
reap()
for _, id in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
  redis.call('RPUSH', mailbox(id), id .. ' ' .. ARGV[2])
end
redis.call('DEL', queue)
if ARGV[2] == 'abort' then redis.call('HSET', meta, 'broken', '1') else redis.call('HDEL', meta, 'broken') end
return {'done'}
`,
);
