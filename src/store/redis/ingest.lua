-- One chunk, written whole or not at all. Node groups the chunk by bucket and member before sending
-- it, so Redis does per activity only the id check and the id's SADD; the rest is one command per
-- bucket list and a few per counter hash.
--
-- KEYS: act, members, cursors, months, standings, hold, standing counts, then the count keys,
-- then the quarter keys, then P bucket lists.
-- ARGV[1], the only one: MessagePack [ids, the P list entries, count specs flat as (key index, K),
-- the specs' members (K each, in order), months, members flat as (id, JSON, standing), cursor as []
-- or (key, JSON), what to add to the specs' members' counts (six numbers each, in order), quarter
-- specs flat as (key index, K), the quarters flat as (quarter, activities), K each in order].
--
-- Returns the number of activities written. Writes nothing and returns -1 when the hold key is set
-- (an earlier chunk of the same call could not be written, so this one must wait for it), or the
-- 0-based positions of the ids already stored, or -2 when an id is twice in the chunk (and sets the
-- hold key either way): the caller drops those and sends the rest again. So chunks land in the
-- order they were sent, and concurrent writers of the same ids (a webhook and a sync) never both
-- count one. Node does not look for repeated ids itself: they are rare, and SADD's answer finds
-- them for free.

if redis.call('EXISTS', KEYS[6]) == 1 then return -1 end
local h = cmsgpack.unpack(ARGV[1])
local ids, entries, specs, who, months = h[1], h[2], h[3], h[4], h[5]
local people, cursor, adds, qspecs, quarters = h[6], h[7], h[8], h[9], h[10]
local n = #ids
local FMT = '<I4I4I4I4I4I4'

-- Lua's stack limits unpack: arguments go in slices of at most 4000.
local function slices(cmd, key, list, from, to)
  for i = from, to, 4000 do redis.call(cmd, key, unpack(list, i, math.min(i + 3999, to))) end
end

if n > 0 then
  local found = {}
  for i = 1, n, 4000 do
    local got = redis.call('SMISMEMBER', KEYS[1], unpack(ids, i, math.min(i + 3999, n)))
    for j = 1, #got do if got[j] == 1 then found[#found + 1] = i + j - 2 end end
  end
  if #found > 0 then
    redis.call('SET', KEYS[6], '1', 'PX', 600000)
    return found
  end
  local added = 0
  for i = 1, n, 4000 do added = added + redis.call('SADD', KEYS[1], unpack(ids, i, math.min(i + 3999, n))) end
  if added < n then
    -- An id twice in the chunk. None was stored before (above), so removing them all undoes this.
    slices('SREM', KEYS[1], ids, 1, n)
    redis.call('SET', KEYS[6], '1', 'PX', 600000)
    return -2
  end
  local kb = 7 + #specs / 2 + #qspecs / 2
  for k = 1, #entries do redis.call('RPUSH', KEYS[kb + k], entries[k]) end
  local o = 0
  for s = 1, #specs, 2 do
    local key, k = KEYS[specs[s]], specs[s + 1]
    local fields = {}
    for i = 0, k - 1, 4000 do
      local cur = redis.call('HMGET', key, unpack(who, o + i + 1, o + math.min(i + 4000, k)))
      for j = 1, #cur do
        local q = (o + i + j - 1) * 6
        local d1, d2, d3, d4, d5, d6 = adds[q + 1], adds[q + 2], adds[q + 3], adds[q + 4], adds[q + 5], adds[q + 6]
        if cur[j] then
          local c1, c2, c3, c4, c5, c6 = struct.unpack(FMT, cur[j])
          d1, d2, d3, d4, d5, d6 = d1 + c1, d2 + c2, d3 + c3, d4 + c4, d5 + c5, d6 + c6
        end
        fields[#fields + 1] = who[o + i + j]
        fields[#fields + 1] = struct.pack(FMT, d1, d2, d3, d4, d5, d6)
      end
    end
    slices('HSET', key, fields, 1, #fields)
    o = o + k
  end
  o = 0
  for s = 1, #qspecs, 2 do
    local key, k = KEYS[qspecs[s]], qspecs[s + 1]
    for j = o + 1, o + 2 * k, 2 do redis.call('HINCRBY', key, quarters[j], quarters[j + 1]) end
    o = o + 2 * k
  end
  redis.call('SADD', KEYS[4], unpack(months))
end

if #people > 0 then
  local profiles, standings, final, distinct = {}, {}, {}, {}
  for i = 1, #people, 3 do
    profiles[#profiles + 1] = people[i]
    profiles[#profiles + 1] = people[i + 1]
    standings[#standings + 1] = people[i]
    standings[#standings + 1] = people[i + 2]
    if not final[people[i]] then distinct[#distinct + 1] = people[i] end
    final[people[i]] = people[i + 2]
  end
  -- How many members hold each standing (ranking's like bound): moved by what changes.
  local moved = {}
  for i = 1, #distinct, 4000 do
    local old = redis.call('HMGET', KEYS[5], unpack(distinct, i, math.min(i + 3999, #distinct)))
    for j = 1, #old do
      local new = final[distinct[i + j - 1]]
      if old[j] ~= new then
        if old[j] then moved[old[j]] = (moved[old[j]] or 0) - 1 end
        moved[new] = (moved[new] or 0) + 1
      end
    end
  end
  slices('HSET', KEYS[2], profiles, 1, #profiles)
  slices('HSET', KEYS[5], standings, 1, #standings)
  for standing, d in pairs(moved) do if d ~= 0 then redis.call('HINCRBY', KEYS[7], standing, d) end end
end
if #cursor > 0 then redis.call('HSET', KEYS[3], cursor[1], cursor[2]) end
return n
