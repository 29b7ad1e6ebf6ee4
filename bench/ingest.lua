-- bench/ingest.lua: wrk script for bench/ingest.sh. PUT /v1/rounds/{id}/ballot as the
-- benchmark's members, each request with a valid dot ballot (3 points on one
-- recommendation, 2 on another), and enough bookkeeping to check the database afterwards.
--
-- Settings come from the environment (the same for the main and the thread states):
--   INGEST_DIR       work dir: reads tokens.txt (line n = token of member n) and recs.txt
--                    (the round's recommendation ids)
--   INGEST_OUT       where this run's files go (thread-<t>.txt, summary.txt; must exist)
--   INGEST_ROUND     the round id
--   INGEST_DURATION  seconds of load; wrk's -d must be longer by the drain time (below)
--   INGEST_THREADS   wrk's -t
--   INGEST_BASE      where in the member list this run starts (so runs differ)
--   INGEST_PACE_MS   optional: a pause before each request on a connection, for a steady
--                    moderate load (bench/http.sh's soak); 0 or unset: none
--
-- Members: thread t (0-based) of T sends its k-th request as member
-- (INGEST_BASE + k * T + t) mod N + 1, so a thread walks its own share of all N members and
-- no member is ever in flight twice at once.
--
-- Why no per-response member: wrk's response() hook doesn't say which connection the
-- response came on, and with several connections per thread responses don't come back in
-- request order, so a response can't be tied to its member. Instead:
--   * request() counts, per thread, how often each member was sent (`sent`) and how many
--     requests were issued; response() counts statuses (2xx and each other status);
--   * after INGEST_DURATION seconds, delay() holds every connection back, so no new
--     request is sent and the ones in flight are answered while wrk runs on (the drain);
--   * a thread is "clean" when every request it issued got a 2xx (issued == ok). Then the
--     members that got a 2xx are exactly the members it sent. Otherwise at most
--     issued - ok requests went unanswered or failed, so a member sent more often than
--     that certainly got a 2xx (a lower bound), and `sent` is the upper bound.
-- done() writes, per thread, a line per member sent: "<member> <times sent>", after a
-- header line "issued <n> ok <n> clean <0|1> last <monotonic s>"; and summary.txt with
-- wrk's own figures. bench/ingest.py reads them.

local ffi = require("ffi")
ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } ingest_timespec;
    int clock_gettime(int clk_id, ingest_timespec *tp);
]]
local ts = ffi.new("ingest_timespec")
local function now()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC, shared by all threads
    return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local function env(name)
    local v = os.getenv(name)
    if not v or v == "" then error("bench/ingest.lua: " .. name .. " is not set") end
    return v
end

local function read_lines(path)
    local f = assert(io.open(path, "r"))
    local out = {}
    for line in f:lines() do
        if line ~= "" then out[#out + 1] = line end
    end
    f:close()
    return out
end

-- ---------------------------------------------------------------- main state

local threads = {}
local started = nil

function setup(thread)
    if not started then
        started = now()
    end
    thread:set("tid", #threads)
    thread:set("deadline", started + tonumber(env("INGEST_DURATION")))
    threads[#threads + 1] = thread
end

function done(summary, latency, requests)
    local out = env("INGEST_OUT")
    local total_ok, total_issued, statuses = 0, 0, {}
    local last = started
    for i, thread in ipairs(threads) do
        local tid = thread:get("tid")
        local issued, ok = thread:get("issued"), thread:get("ok")
        local sent, bad = thread:get("sent"), thread:get("bad")
        local t_last = thread:get("last") or started
        if t_last > last then last = t_last end
        total_ok, total_issued = total_ok + ok, total_issued + issued
        for status, n in pairs(bad) do statuses[status] = (statuses[status] or 0) + n end
        local f = assert(io.open(string.format("%s/thread-%d.txt", out, tid), "w"))
        f:write(string.format("issued %d ok %d clean %d last %.6f\n", issued, ok,
                              issued == ok and 1 or 0, t_last))
        for member, n in pairs(sent) do
            f:write(member, " ", n, "\n")
        end
        f:close()
    end
    local bad_total, bad_text = 0, {}
    for status, n in pairs(statuses) do
        bad_total = bad_total + n
        bad_text[#bad_text + 1] = status .. ":" .. n
    end
    local e = summary.errors
    local f = assert(io.open(out .. "/summary.txt", "w"))
    f:write(string.format(
        "issued %d\nok %d\nnon2xx %d\nstatuses %s\nconnect %d\nread %d\nwrite %d\ntimeout %d\n" ..
        "responses %d\nseconds %.6f\np50_us %d\np99_us %d\nmax_us %d\nmean_us %.1f\n",
        total_issued, total_ok, bad_total, table.concat(bad_text, ","), e.connect, e.read, e.write,
        e.timeout, summary.requests, last - started, latency:percentile(50), latency:percentile(99),
        latency.max, latency.mean))
    f:close()
    io.write(string.format(
        "ingest: %d requests issued, %d answered 2xx, %d other statuses {%s}, socket errors " ..
        "connect %d read %d write %d timeout %d; %.2f s from the start to the last response\n",
        total_issued, total_ok, bad_total, table.concat(bad_text, ", "), e.connect, e.read,
        e.write, e.timeout, last - started))
end

-- ---------------------------------------------------------------- thread states

-- Set by setup() through thread:set before init() runs.
tid = tid or 0
deadline = deadline or 0
issued, ok, last = 0, 0, nil
sent, bad = {}, {}

local tokens, recs, nthreads, base, path, verifying, pace
local counter = 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
    verifying = (tid == 0)
    local dir = env("INGEST_DIR")
    tokens = read_lines(dir .. "/tokens.txt")
    recs = read_lines(dir .. "/recs.txt")
    path = "/v1/rounds/" .. env("INGEST_ROUND") .. "/ballot"
    base = tonumber(env("INGEST_BASE"))
    nthreads = tonumber(env("INGEST_THREADS"))
    pace = tonumber(os.getenv("INGEST_PACE_MS") or "") or 0
end

function delay()
    -- After the deadline: hold the connection back for an hour (wrk ends long before).
    if now() >= deadline then return 3600000 end
    return pace
end

function request()
    if verifying then
        -- wrk calls thread 0's request() once before the run to check the request
        -- (script_verify_request); that one is never sent, so it isn't counted.
        verifying = false
        return wrk.format("PUT", "/", headers, "")
    end
    local k = counter
    counter = counter + 1
    local n = #tokens
    local member = (base + k * nthreads + tid) % n + 1
    local r = #recs
    local a = (member + k) % r
    local b = (a + 1 + k % (r - 1)) % r
    local body = '{"points":{"' .. recs[a + 1] .. '":3,"' .. recs[b + 1] .. '":2}}'
    headers["Authorization"] = "Bearer " .. tokens[member]
    sent[member] = (sent[member] or 0) + 1
    issued = issued + 1
    return wrk.format("PUT", path, headers, body)
end

function response(status, headers, body)
    if status >= 200 and status < 300 then
        ok = ok + 1
    else
        bad[status] = (bad[status] or 0) + 1
    end
    last = now()
end
