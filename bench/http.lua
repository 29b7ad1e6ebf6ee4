-- bench/http.lua: wrk script for bench/http.sh's reads. GETs one or more paths in turn, as
-- the benchmark's members in turn (or without a token), with every request built once in
-- init(), so the client spends as little as it can per request.
--
-- Settings come from the environment (the same for the main and the thread states):
--   HTTP_PATHS    the paths, separated by spaces, taken in turn
--   HTTP_TOKENS   a file with a token per line (line n = member n); unset or empty: no
--                 Authorization header (for /health/live)
--   HTTP_OUT      where done() writes the run's figures ("key value" lines)
--   HTTP_PACE_MS  optional: a pause before each request on a connection, for a steady
--                 moderate load (the soak); unset or 0: none
--
-- There is no response() hook: with one, wrk hands every response to Lua. wrk itself counts
-- the answers with a status of 400 or more (summary.errors.status) and the socket errors.
-- Each thread builds up to 4 096 requests, starting at its own place in the token list.

local paths = {}
for p in (os.getenv("HTTP_PATHS") or ""):gmatch("%S+") do paths[#paths + 1] = p end
if #paths == 0 then error("bench/http.lua: HTTP_PATHS is not set") end
local pace = tonumber(os.getenv("HTTP_PACE_MS") or "") or 0

local threads = {}

function setup(thread)
    thread:set("tid", #threads)
    threads[#threads + 1] = thread
end

tid = tid or 0
local requests, i = {}, 0

function init(args)
    local tokens = {}
    local file = os.getenv("HTTP_TOKENS")
    if file and file ~= "" then
        for line in io.lines(file) do
            if line ~= "" then tokens[#tokens + 1] = line end
        end
    end
    local n = math.max(#paths, math.min(#tokens, 4096))
    for k = 0, n - 1 do
        local headers = {}
        if #tokens > 0 then
            headers["Authorization"] = "Bearer " .. tokens[(tid * 7919 + k) % #tokens + 1]
        end
        requests[k + 1] = wrk.format("GET", paths[k % #paths + 1], headers)
    end
end

function request()
    i = i % #requests + 1
    return requests[i]
end

-- Only when pacing: with a delay() hook, wrk sets a timer before every request.
if pace > 0 then
    function delay()
        return pace
    end
end

function done(summary, latency, _)
    local e = summary.errors
    local seconds = summary.duration / 1e6
    local f = assert(io.open(os.getenv("HTTP_OUT"), "w"))
    f:write(string.format(
        "requests %d\nok %d\nnon2xx %d\nconnect %d\nread %d\nwrite %d\ntimeout %d\n" ..
        "seconds %.6f\np50_us %d\np99_us %d\nmax_us %d\nmean_us %.1f\n",
        summary.requests, summary.requests - e.status, e.status, e.connect, e.read, e.write,
        e.timeout, seconds, latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
    f:close()
    io.write(string.format(
        "  %d requests in %.1f s (%.0f/s), status >= 400: %d, socket errors connect %d read %d " ..
        "write %d timeout %d; p50 %.2f ms, p99 %.2f ms\n",
        summary.requests, seconds, summary.requests / seconds, e.status, e.connect, e.read, e.write,
        e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
