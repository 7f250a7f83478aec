-- wrk script: simulated checkpoints syncing with the authority (bench/authority_load.py).
-- Run with as many wrk threads as connections (-t N -c N): wrk's Lua state is per thread,
-- so one connection per thread lets each answer be matched to the checkpoint that asked.
--
-- Each connection plays a share of the checkpoints, in turn. A checkpoint's sync is what
-- checkpoint_app/core/sync/client.py does: GET /v1/trust-list and /v1/policy with
-- If-None-Match (304 when unchanged), then GET /v1/status?since=CURSOR until a page has
-- `more` false; its cursor becomes the page's `to`, read from the signed CBOR payload.
-- With docs=0 only the status pages are asked for.
--
-- A checkpoint's first cursor is a head the log had within the last minute (the writer adds
-- STEP changes at a time, so cursors fall on a few values, as those of real checkpoints
-- polling once a minute do).
--
-- DELAY_MS (optional): wait this long before each request, to offer a set rate instead of
-- as many requests as the server takes (latency at the target rate, not at saturation).
--
-- args: TOKENS_FILE CURSOR_MIN CURSOR_MAX DOCS(0/1) ETAG_TRUST ETAG_POLICY THREADS STEP [DELAY_MS]

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local tokens, cursors = {}, {}
local current, step, docs = 1, 1, 1
local etags = {}
status_n, doc_n, not_ok, bad_page = 0, 0, 0, 0  -- globals: done() reads them with thread:get

local function read_tokens(path, index, count)
  local i = 0
  for line in io.lines(path) do
    if i % count == index then table.insert(tokens, line) end
    i = i + 1
  end
end

function init(args)
  local index, count = wrk.thread:get("index"), tonumber(args[7])
  read_tokens(args[1], index, count)
  local low, high, stride = tonumber(args[2]), tonumber(args[3]), tonumber(args[8])
  math.randomseed(index * 7919 + 1)
  for i = 1, #tokens do cursors[i] = high - stride * math.random(0, math.floor((high - low) / stride)) end
  docs = tonumber(args[4])
  etags["/v1/trust-list"], etags["/v1/policy"] = args[5], args[6]
  current = math.random(1, #tokens)
  pause = tonumber(args[9] or "0")
  step = docs == 1 and 1 or 3
end

local paths = {"/v1/trust-list", "/v1/policy"}
pause = 0

function delay()
  return pause
end

function request()
  local headers = {["Authorization"] = "Bearer " .. tokens[current]}
  if step <= 2 then
    headers["If-None-Match"] = etags[paths[step]]
    return wrk.format("GET", paths[step], headers)
  end
  return wrk.format("GET", "/v1/status?since=" .. cursors[current], headers)
end

-- The unsigned integer after a CBOR text key inside the payload (the map's keys come
-- before its entries, so the first match is the key).
local function cbor_uint(body, key)
  local at = string.find(body, key, 1, true)
  if at == nil then return nil end
  local p = at + #key
  local b = string.byte(body, p)
  if b == nil then return nil end
  if b < 24 then return b end
  local n = ({[24] = 1, [25] = 2, [26] = 4, [27] = 8})[b]
  if n == nil then return nil end
  local v = 0
  for i = 1, n do v = v * 256 + string.byte(body, p + i) end
  return v
end

local function next_checkpoint()
  current = current % #tokens + 1
  step = docs == 1 and 1 or 3
end

function response(status, headers, body)
  if step <= 2 then
    doc_n = doc_n + 1
    if status ~= 304 and status ~= 200 then not_ok = not_ok + 1 end
    step = step + 1
    return
  end
  status_n = status_n + 1
  if status ~= 200 then
    not_ok = not_ok + 1
    next_checkpoint()
    return
  end
  local to = cbor_uint(body, "\x62to")
  local more = string.find(body, "\x64more\xf5", 1, true) ~= nil
  if to == nil then
    bad_page = bad_page + 1
    next_checkpoint()
    return
  end
  cursors[current] = to
  if not more then next_checkpoint() end
end

function done(summary, latency, requests)
  local s, d, e, b = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    s = s + thread:get("status_n")
    d = d + thread:get("doc_n")
    e = e + thread:get("not_ok")
    b = b + thread:get("bad_page")
  end
  io.write(string.format("RESULT status=%d documents=%d not_ok=%d bad_page=%d\n", s, d, e, b))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("LATENCY p%s=%.3f\n", p, latency:percentile(p) / 1000.0))
  end
end
