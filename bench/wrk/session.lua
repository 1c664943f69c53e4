-- wrk script for bench/run.sh and bench/sharding.sh: one scenario per run, the same Lua request path for every
-- scenario.
--
--   wrk -t T -c C -d D -s bench/wrk/session.lua URL -- MODE [COOKIE_FILE THREADS]
--
-- MODE
--   live       GET  /health/live                                   (the plain endpoint, no session)
--   read       GET  /session                                       with a session cookie
--   write      PUT  /session/attributes/payload  (100-byte JSON)   with a session cookie
--   increment  POST /session/attributes/counter/increment?by=1     with a session cookie
--   mixed      read and increment alternately, each cookie in turn    (bench/sharding.sh's load during a rebalance)
--
-- With the environment variable WRK_STATUS_COUNTS=1 a response() callback counts the answers that are not 2xx by
-- status, and done() prints them on a STATUS line (e.g. "STATUS 503=12"; "STATUS none" when all were 2xx). It
-- makes wrk parse every response's headers and body in Lua, which costs client CPU: leave it off for throughput.
--
-- Cookies. wrk's Lua has no per-connection state: setup/init run once per thread and request() does not say which
-- connection it fills. So bench/run.sh creates one session per connection beforehand and writes their cookie
-- values (<id>.<route>), one a line, to COOKIE_FILE; thread i takes the lines i, i+T, i+2T, ... and request()
-- walks its own cookies round-robin. With one request in flight per connection, the requests in flight on a
-- thread almost always carry different cookies; a connection that answers late can overlap with the next use of
-- its cookie, which the session's mailbox then serialises (as it would for a browser with several connections).
--
-- Requests are formatted once, in init(), so the per-request Lua cost is the same small table lookup for every
-- scenario, the plain one included. No response() callback is defined: that would make wrk parse every response's
-- headers in Lua and slow the client down. Failures are read from wrk's own summary in done().

local counter = 0
local threads = {}

function setup(thread)
   thread:set("thread_index", counter)
   counter = counter + 1
   threads[#threads + 1] = thread
end

-- Per thread: count of each non-2xx status, and the same as text ("503=12 500=1") for done() to collect.
local status_counts = {}
status_summary = ""

if os.getenv("WRK_STATUS_COUNTS") == "1" then
   function response(status, headers, body)
      if status < 200 or status > 299 then
         status_counts[status] = (status_counts[status] or 0) + 1
         local parts = {}
         for code, n in pairs(status_counts) do
            parts[#parts + 1] = code .. "=" .. n
         end
         status_summary = table.concat(parts, " ")
      end
   end
end

local requests = {}
local count = 0
local next_index = 0

local function read_cookies(file, threads, index)
   local cookies = {}
   local handle = assert(io.open(file, "r"), "cannot open cookie file " .. file)
   local line_number = 0
   for line in handle:lines() do
      if line ~= "" then
         if line_number % threads == index then
            cookies[#cookies + 1] = line
         end
         line_number = line_number + 1
      end
   end
   handle:close()
   assert(#cookies > 0, "thread " .. index .. " got no cookie from " .. file .. "; create at least one per thread")
   return cookies
end

function init(args)
   local mode = args[1] or "live"
   if mode == "live" then
      requests[1] = wrk.format("GET", "/health/live")
   else
      local file = assert(args[2], "mode " .. mode .. " needs a cookie file")
      local threads = assert(tonumber(args[3]), "mode " .. mode .. " needs the thread count")
      local value = '"' .. string.rep("v", 98) .. '"' -- a JSON string of exactly 100 bytes
      for _, cookie in ipairs(read_cookies(file, threads, thread_index)) do
         local headers = { ["Cookie"] = "SESSIONID=" .. cookie }
         local request
         if mode == "read" then
            request = wrk.format("GET", "/session", headers)
         elseif mode == "write" then
            headers["Content-Type"] = "application/json"
            request = wrk.format("PUT", "/session/attributes/payload", headers, value)
         elseif mode == "increment" then
            headers["Content-Length"] = "0"
            request = wrk.format("POST", "/session/attributes/counter/increment?by=1", headers)
         elseif mode == "mixed" then
            requests[#requests + 1] = wrk.format("GET", "/session", headers)
            headers["Content-Length"] = "0"
            request = wrk.format("POST", "/session/attributes/counter/increment?by=1", headers)
         else
            error("unknown mode '" .. mode .. "': use live, read, write, increment or mixed")
         end
         requests[#requests + 1] = request
      end
   end
   count = #requests
end

function request()
   next_index = next_index + 1
   if next_index > count then
      next_index = 1
   end
   return requests[next_index]
end

-- One machine-readable line for bench/run.sh; latencies in milliseconds.
function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local errors = summary.errors
   io.write(string.format(
      "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      errors.status, errors.connect, errors.read, errors.write, errors.timeout))
   if os.getenv("WRK_STATUS_COUNTS") == "1" then
      local totals = {}
      for _, thread in ipairs(threads) do
         for code, n in string.gmatch(thread:get("status_summary") or "", "(%d+)=(%d+)") do
            totals[code] = (totals[code] or 0) + tonumber(n)
         end
      end
      local parts = {}
      for code, n in pairs(totals) do
         parts[#parts + 1] = code .. "=" .. n
      end
      table.sort(parts)
      io.write("STATUS " .. (#parts > 0 and table.concat(parts, " ") or "none") .. "\n")
   end
end
