-- wrk script for bench/aspnet-session.sh: the ShoppingCart sample (samples/ShoppingCart), one session per connection.
--
--   wrk -t T -c C -d D -s bench/wrk/cart.lua URL -- MODE COOKIE_FILE THREADS
--
-- MODE
--   read   GET  /cart                      loads the session, reads every key
--   add    POST /cart/items/sku-N          loads, SetInt32 of one of 8 products (N cycles), commits one changed key
--   mixed  read and add alternately
--
-- COOKIE_FILE holds one "Name=value" cookie per line (the session middleware's cookie); thread i takes the lines
-- i, i+T, i+2T, ... and cycles through them, as bench/wrk/session.lua does (see there for why). done() prints one
-- BENCH line in the same format.

local counter = 0
function setup(thread)
   thread:set("thread_index", counter)
   counter = counter + 1
end

local requests = {}
local count = 0
local next_index = 0

function init(args)
   local mode = assert(args[1], "give a mode: read, add or mixed")
   local file = assert(args[2], "give the cookie file")
   local threads = assert(tonumber(args[3]), "give the thread count")
   local handle = assert(io.open(file, "r"), "cannot open cookie file " .. file)
   local line_number = 0
   local product = 0
   for line in handle:lines() do
      if line ~= "" then
         if line_number % threads == thread_index then
            local read = wrk.format("GET", "/cart", { ["Cookie"] = line })
            product = product % 8 + 1
            local add = wrk.format("POST", "/cart/items/sku-" .. product, { ["Cookie"] = line, ["Content-Length"] = "0" })
            if mode == "read" then
               requests[#requests + 1] = read
            elseif mode == "add" then
               requests[#requests + 1] = add
            elseif mode == "mixed" then
               requests[#requests + 1] = read
               requests[#requests + 1] = add
            else
               error("unknown mode '" .. mode .. "': use read, add or mixed")
            end
         end
         line_number = line_number + 1
      end
   end
   handle:close()
   count = #requests
   assert(count > 0, "thread " .. thread_index .. " got no cookie from " .. file)
end

function request()
   next_index = next_index + 1
   if next_index > count then
      next_index = 1
   end
   return requests[next_index]
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local errors = summary.errors
   io.write(string.format(
      "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
