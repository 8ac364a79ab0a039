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
//
// Cost. Each script reads each key it may touch with a command of that
// key's type before its first write: a key of the wrong type then fails the
// script before it has changed anything (Redis does not roll a script back),
// without a TYPE per key. Each call of redis.call costs about as much as
// the command it runs, so the uncontended paths make few: an acquire that
// finds neither queue nor holders grants after HMGET, EXISTS and TIME; a
// release that finds nobody queued is a ZCARD and a ZREM; a renewal a
// ZSCORE, TIME and ZADD. The instances alive here (alive) are read only when
// someone is queued or the call queues, the holders through their first
// entry (a lock has at most one).

// Shared by every script: the state it reads, the server clock, a grant.
// The rest of what they share (rest, below) comes after a script's fast
// path, if it has one: Lua makes a closure for each function as it runs
// past its definition, which costs a fast path as much as a command.
const core = `
local meta, queue, holders, alive = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local base = string.sub(meta, 1, -3)

-- What the script has read: the meta fields (permits, parties, quiet,
-- token, flag, broken), the queue's length (nil: not read, at least one),
-- the alive hash as HGETALL returns it, the first holder's deadline (nil:
-- nobody holds) and how many hold, the server clock (t as TIME returns it,
-- now in ms).
local fields, permits, quiet, token
local queued, flat, first, held, t, now
-- instance id -> lease ms of the instances alive here, set by reap().
local leases = {}

local function read_meta()
  fields = redis.call('HMGET', meta, 'permits', 'parties', 'quiet', 'token', 'flag', 'broken')
  permits, quiet, token = tonumber(fields[1] or '0'), tonumber(fields[3] or '0'), fields[4]
end

local function clock()
  t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The first holder and how many hold; a lock (one permit) needs no count.
local function read_holders()
  local head = redis.call('ZRANGE', holders, 0, 0, 'WITHSCORES')
  first = head[2] and tonumber(head[2])
  if not first then held = 0 elseif permits == 1 then held = 1 else held = redis.call('ZCARD', holders) end
end

local function instance_of(id) return string.match(id, '^(.*)|') end
local function mailbox(id) return base .. ':mb:' .. instance_of(id) end

-- A count (field "permits" or "parties", at fields[i]) is set by the first
-- call; another one is refused. Reads only: store_count() writes it.
local function count_mismatch(i, count)
  if fields[i] and fields[i] ~= count then return fields[i] end
  return false
end
local function store_count(i, field, count)
  if not fields[i] then
    redis.call('HSET', meta, field, count)
    fields[i] = count
    if i == 1 then permits = tonumber(count) end
  end
end

-- The first grant on a meta hash starts the fencing counter at the server
-- clock in microseconds (below 2^53), not 0: tokens keep rising across a
-- restart that lost the data, for as long as the clock does. The token is
-- returned as a string: Lua prints a number that large with 14 digits.
-- Nil if \`id\` holds already (a request sent again).
local function grant(id, lease)
  if redis.call('ZADD', holders, 'NX', now + lease, id) == 0 then return nil end
  held = held + 1
  if not first or now + lease < first then first = now + lease end
  if not token then redis.call('HSET', meta, 'token', t[1] .. string.format('%06d', tonumber(t[2]))) end
  token = redis.call('HINCRBY', meta, 'token', 1)
  return string.format('%d', token)
end

`;

// The rest of what the scripts share: reaping, hand-off, queueing.
const rest = `

-- Expired holders leave (when the first one has expired), then instances
-- that stopped heartbeating, with their waiters (when someone is queued:
-- flat read). \`keep\`: an instance that is alive whatever flat says (the
-- heartbeat's own).
local function reap(keep)
  if first and first <= now then
    redis.call('ZREMRANGEBYSCORE', holders, '-inf', now)
    read_holders()
  end
  if not flat then return end
  local dead = nil
  for i = 1, #flat, 2 do
    local deadline, lease = string.match(flat[i + 1], '^(%d+) (%d+)$')
    if flat[i] ~= keep and tonumber(deadline) <= now then
      dead = dead or {}
      dead[flat[i]] = true
      redis.call('HDEL', alive, flat[i])
    else
      leases[flat[i]] = tonumber(lease)
    end
  end
  if dead then
    for _, id in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
      if dead[instance_of(id)] then
        redis.call('ZREM', queue, id)
        if queued then queued = queued - 1 end
      end
    end
  end
end

-- Called by a script from an instance with state here (waiters, holds)
-- with fields read: a lock's or semaphore's meta hash always has permits or
-- quiet, so neither means the server lost the primitive's data, and holders
-- it no longer knows of may believe they hold until their leases run out.
-- No grants for one lease: a quiet period.
local function recreate(lease)
  if not fields[1] and not fields[3] then
    quiet = now + lease
    redis.call('HSET', meta, 'quiet', quiet)
  end
end

-- Hand free permits to the head waiters, in arrival order, pushing each
-- grant to its process's mailbox. Only semaphores (and locks) have permits.
-- Nothing during a quiet period. Needs reap() first.
local function wake()
  if queued == 0 or quiet > now then return end
  local free = permits - held
  while free > 0 do
    local head = redis.call('ZPOPMIN', queue)[1]
    if not head then queued = 0 return end
    if queued then queued = queued - 1 end
    local lease = leases[instance_of(head)]
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
  if queued then queued = queued + 1 end
end

-- Milliseconds until a grant may become possible: the end of the quiet
-- period or of the first holder's lease, whichever is later; -1 if neither.
local function next_expiry()
  local left = math.max(quiet - now, 0)
  if first then return math.max(left, first - now) end
  if left > 0 then return left end
  return -1
end

-- The reads of a lock's or semaphore's scripts: meta, the queue's length,
-- alive when someone is queued, the clock, the holders.
local function read_all()
  read_meta()
  queued = redis.call('ZCARD', queue)
  if queued > 0 then flat = redis.call('HGETALL', alive) end
  clock()
  read_holders()
end
`;

/** A script with its name, for errors and the SHA cache. */
export interface Script {
  readonly name: string;
  readonly source: string;
}

/** A script: its fast path, if any, then the rest of the shared functions and its other paths. */
const script = (name: string, fast: string, body: string): Script => ({
  name,
  source: `${core}\n${fast}\n${rest}\n${body}`,
});

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
local id, count, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
read_meta()
local stored = count_mismatch(1, count)
if stored then return {'count', stored} end
if not fields[1] then permits = tonumber(count) end
-- Nobody queued, nobody holding (keys that do not exist have no wrong
-- type), no quiet period: grant at once.
if redis.call('EXISTS', queue, holders) == 0 then
  clock()
  if quiet <= now then
    held = 0
    store_count(1, 'permits', count)
    return {'done', grant(id, lease)}
  end
end
`,
  `
queued = redis.call('ZCARD', queue)
if not now then clock() end
read_holders()
if queued > 0 or ARGV[4] == 'wait' then flat = redis.call('HGETALL', alive) end
store_count(1, 'permits', count)
reap()
wake()
-- The same request again (a client resends what a dropped connection left
-- unanswered): already queued, or granted, whose message says so.
if redis.call('ZSCORE', queue, id) or redis.call('ZSCORE', holders, id) then
  return {'queued', next_expiry()}
end
if queued == 0 and held < permits and quiet <= now then
  return {'done', grant(id, lease)}
end
if ARGV[4] == 'try' then return {'busy'} end
enqueue(id, lease)
return {'queued', next_expiry()}
`,
);

/** release: ARGV hold id. Replies 1 if the hold was there, 0 if not. */
export const release = script(
  "release",
  `
queued = redis.call('ZCARD', queue)
if queued > 0 then
  read_meta()
  flat = redis.call('HGETALL', alive)
  clock()
end
local removed = redis.call('ZREM', holders, ARGV[1])
if queued == 0 then return removed end
`,
  `
read_holders()
reap()
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
local id, lease = ARGV[1], tonumber(ARGV[2])
local deadline = redis.call('ZSCORE', holders, id)
clock()
if deadline and tonumber(deadline) > now then
  redis.call('ZADD', holders, now + lease, id)
  return 1
end
`,
  `
read_meta()
queued = redis.call('ZCARD', queue)
if queued > 0 then flat = redis.call('HGETALL', alive) end
read_holders()
recreate(lease)
reap()
wake()
return 0
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
-- A waiter still queued frees nothing: no hand-off to make.
if redis.call('ZREM', queue, id) == 1 then return 1 end
`,
  `
read_all()
local outcome = 0
if redis.call('ZREM', holders, id) == 1 then
  outcome = 2
  read_holders()
end
unsend(id)
reap()
wake()
return outcome
`,
);

/**
 * heartbeat: ARGV instance, lease ms, permits (or "" but for locks and
 * semaphores), then the ids of the instance's queued waiters (locks and
 * semaphores only). Keeps the instance alive here, and puts back at the
 * tail any of those waiters that the server no longer has, neither queued
 * nor granted (reaped while this process was cut off, or lost with the
 * server's data, permits included; then no grants for one lease, the quiet
 * period, as old holders may still believe they hold). Replies {requeued,
 * ms until a grant may become possible (next_expiry) or -1}.
 */
export const heartbeat = script(
  "heartbeat",
  "",
  `
local instance, lease, count = ARGV[1], tonumber(ARGV[2]), ARGV[3]
flat = redis.call('HGETALL', alive)
local missing = {}
if count == '' then
  queued = redis.call('ZCARD', queue)
  clock()
else
  read_meta()
  -- Which of this instance's waiters the queue lacks, then which of those
  -- the holders lack too (ZMSCORE in slices: unpack has a limit).
  local function absent(key, ids)
    local out = {}
    for from = 1, #ids, 1000 do
      local slice = {unpack(ids, from, math.min(from + 999, #ids))}
      local scores = redis.call('ZMSCORE', key, unpack(slice))
      for i, id in ipairs(slice) do
        if not scores[i] then out[#out + 1] = id end
      end
    end
    return out
  end
  local ids = {}
  for i = 4, #ARGV do ids[#ids + 1] = ARGV[i] end
  if #ids == 0 then queued = redis.call('ZCARD', queue) end
  missing = absent(queue, ids)
  clock()
  read_holders()
  if #missing > 0 then missing = absent(holders, missing) end
end
reap(instance)
redis.call('HSET', alive, instance, (now + lease) .. ' ' .. lease)
leases[instance] = lease
if count == '' then return {0, -1} end
recreate(lease)
store_count(1, 'permits', count)
for _, id in ipairs(missing) do
  unsend(id)
  enqueue(id, lease)
end
wake()
return {#missing, next_expiry()}
`,
);

/**
 * inspect: ARGV "permits" | "parties" | "" (an event), then the count. Reaps, hands off, and replies
 * {"count", stored} or {holders, queued, flag, broken}.
 */
export const inspect = script(
  "inspect",
  "",
  `
read_all()
local at = ({permits = 1, parties = 2})[ARGV[1]]
if at then
  local stored = count_mismatch(at, ARGV[2])
  if stored then return {'count', stored} end
  store_count(at, ARGV[1], ARGV[2])
end
reap()
wake()
return {held, queued, fields[5] or '', fields[6] or ''}
`,
);

/** eventWait: ARGV id, lease ms, mode. Replies {"done", "set"}, {"busy"} or {"queued"}. */
export const eventWait = script(
  "eventWait",
  "",
  `
read_meta()
if fields[5] then return {'done', 'set'} end
if redis.call('ZSCORE', queue, ARGV[1]) then return {'queued'} end
if ARGV[3] == 'try' then return {'busy'} end
flat = redis.call('HGETALL', alive)
clock()
reap()
enqueue(ARGV[1], tonumber(ARGV[2]))
return {'queued'}
`,
);

/**
 * The queued waiters of an event or barrier, in arrival order, without
 * those of dead instances, who leave the queue (read first, then written).
 */
const waiting = `
local function waiting()
  local list = redis.call('ZRANGE', queue, 0, -1)
  if #list == 0 then return list end
  flat = redis.call('HGETALL', alive)
  clock()
  local live = {}
  for i = 1, #flat, 2 do
    if tonumber(string.match(flat[i + 1], '^(%d+)')) > now then live[flat[i]] = true end
  end
  local kept = {}
  for _, id in ipairs(list) do
    if live[instance_of(id)] then kept[#kept + 1] = id end
  end
  return kept
end
`;

/** eventSet: no ARGV. Sets the flag and pushes a wake-up to every waiter. */
export const eventSet = script(
  "eventSet",
  "",
  `${waiting}
local list = waiting()
redis.call('HSET', meta, 'flag', '1')
reap()
for _, id in ipairs(list) do
  redis.call('RPUSH', mailbox(id), id .. ' set')
end
redis.call('DEL', queue)
return 1
`,
);

/** eventClear: no ARGV. Unsets the flag. */
export const eventClear = script(
  "eventClear",
  "",
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
  "",
  `${waiting}
read_meta()
local stored = count_mismatch(2, ARGV[2])
if stored then return {'count', stored} end
local list = waiting()
if not flat then
  flat = redis.call('HGETALL', alive)
  clock()
end
store_count(2, 'parties', ARGV[2])
reap()
if fields[6] then return {'done', 'abort'} end
if redis.call('ZSCORE', queue, ARGV[1]) then return {'queued'} end
if #list + 1 < tonumber(ARGV[2]) then
  if ARGV[4] == 'try' then return {'busy'} end
  enqueue(ARGV[1], tonumber(ARGV[3]))
  return {'queued'}
end
for position, id in ipairs(list) do
  redis.call('RPUSH', mailbox(id), id .. ' ' .. (position - 1))
end
redis.call('DEL', queue)
return {'done', #list}
`,
);

/**
 * barrierBreak: ARGV parties, "reset" or "abort". Every queued waiter is
 * told (it rejects with BrokenBarrierError); "abort" sets broken, "reset"
 * clears it. Replies {"count", stored} or {"done"}.
 */
export const barrierBreak = script(
  "barrierBreak",
  "",
  `${waiting}
read_meta()
local stored = count_mismatch(2, ARGV[1])
if stored then return {'count', stored} end
local list = waiting()
store_count(2, 'parties', ARGV[1])
reap()
for _, id in ipairs(list) do
  redis.call('RPUSH', mailbox(id), id .. ' ' .. ARGV[2])
end
redis.call('DEL', queue)
if ARGV[2] == 'abort' then redis.call('HSET', meta, 'broken', '1') else redis.call('HDEL', meta, 'broken') end
return {'done'}
`,
);
