-- wrk script: checkpoints uploading scan batches (bench/authority_load.py). One connection
-- per thread (-t N -c N), as in authority_sync.lua. Every batch holds BATCH new events
-- with ids unique to the run, thread and batch; every 10th request sends the previous
-- batch again (a retry: all duplicates). The totals let the driver check the database:
-- every event acknowledged is stored once, nothing more than was sent.
--
-- args: TOKENS_FILE BATCH RUN_ID THREADS

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

acked, duplicates, sent, not_ok, retries = 0, 0, 0, 0, 0  -- globals: done() reads them
local tokens, batch, run, index = {}, 50, "r", 0
local n, last_body, last_events, is_retry, token_i = 0, nil, 0, false, 1

function init(args)
  index = wrk.thread:get("index")
  local count, i = tonumber(args[4]), 0
  for line in io.lines(args[1]) do
    if i % count == index then table.insert(tokens, line) end
    i = i + 1
  end
  batch, run = tonumber(args[2]), args[3]
end

local function event(id)
  return '{"event_id":"' .. id .. '","ts":' .. (os.time() - 30) .. ',"venue_id":"140105-mall-0007",'
    .. '"venue_type":"mall","hid":"' .. string.rep("ab", 16) .. '","iss":"140000","code_color":"green",'
    .. '"color":"green","reasons":[],"temperature_c":36.6,"mask":true,"action":"pass","allow":true,'
    .. '"error":null,"policy_serial":1,"operator":"g","source":"code"}'
end

function request()
  token_i = token_i % #tokens + 1
  local token = tokens[token_i]
  local cid = string.match(token, "^([^.]+)%.")
  is_retry = last_body ~= nil and n % 10 == 9
  n = n + 1
  if not is_retry then
    local events = {}
    for i = 1, batch do events[i] = event(string.format("%s-%d-%d-%d", run, index, n, i)) end
    last_body = '{"checkpoint_id":"' .. cid .. '","events":[' .. table.concat(events, ",") .. ']}'
    last_events = batch
  else
    retries = retries + 1
    -- the retry goes with the token of the checkpoint that sent the batch
    token_i = token_i == 1 and #tokens or token_i - 1
    token = tokens[token_i]
  end
  sent = sent + (is_retry and 0 or last_events)
  return wrk.format("POST", "/v1/scans", {["Authorization"] = "Bearer " .. token,
                                         ["Content-Type"] = "application/json"}, last_body)
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
    return
  end
  local a = select(2, string.gsub(string.match(body, '"accepted":%[(.-)%]') or "", '"', '"')) / 2
  local d = select(2, string.gsub(string.match(body, '"duplicates":%[(.-)%]') or "", '"', '"')) / 2
  acked, duplicates = acked + a, duplicates + d
end

function done(summary, latency, requests)
  local t = {acked = 0, duplicates = 0, sent = 0, not_ok = 0, retries = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format("RESULT accepted=%d duplicates=%d sent=%d not_ok=%d retries=%d\n",
                         t.acked, t.duplicates, t.sent, t.not_ok, t.retries))
  for _, p in ipairs({50, 99}) do
    io.write(string.format("LATENCY p%s=%.3f\n", p, latency:percentile(p) / 1000.0))
  end
end
