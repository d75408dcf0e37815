-- One wrk script for every workload of scripts/bench, driven by the environment:
--   BENCH_SERVER  jobprepd | pocketbase | bare
--   BENCH_MODE    get | get-random | list | search | post | patch
--   BENCH_TOKEN   jobprepd's bearer token
--   BENCH_IDS     how many seeded records there are (ids s00000000000001 ...), for random picks
-- GET, list and search are fixed requests (wrk's fast path); POST and PATCH build each request.
-- At the end it prints one JSON line: requests, seconds, p50/p99 in microseconds, errors.

local server = os.getenv("BENCH_SERVER")
local mode = os.getenv("BENCH_MODE")
local token = os.getenv("BENCH_TOKEN") or ""
local ids = tonumber(os.getenv("BENCH_IDS") or "1000")

local function record_id(n) return string.format("s%014d", n) end

local base, list_path, search_path
if server == "jobprepd" then
  base = "/v1/stories"
  list_path = "/v1/stories?limit=50"
  search_path = "/v1/search?q=zephyr"
  wrk.headers["Authorization"] = "Bearer " .. token
else
  base = "/api/collections/stories/records"
  list_path = base .. "?perPage=50&skipTotal=1&sort=created"
  search_path = base .. "?perPage=50&skipTotal=1&filter=" .. "(title~'zephyr'||use_case~'zephyr'||design~'zephyr'||challenges~'zephyr'||outcome~'zephyr')"
end

-- About 500 bytes of story, as a client would send it.
local function story(n)
  return string.format(
    '{"title":"Story %d: moving billing to a new store",' ..
    '"use_case":"Billing data had to move to a new store without downtime, for a team of forty engineers.",' ..
    '"design":"Dual writes behind a flag, then a backfill checked row by row against the old store.",' ..
    '"challenges":"Two clocks disagreed about time zones, and the backfill competed with peak traffic.",' ..
    '"outcome":"Cut over in a week with no lost invoice; learned to rehearse the rollback first."}', n)
end

local counter = 0
wrk.headers["Content-Type"] = "application/json"

if mode == "get" then
  wrk.method = "GET"
  wrk.path = base .. "/" .. record_id(1)
elseif mode == "list" then
  wrk.method = "GET"
  wrk.path = list_path
elseif mode == "search" then
  wrk.method = "GET"
  wrk.path = search_path
elseif mode == "get-random" then
  request = function()
    return wrk.format("GET", base .. "/" .. record_id(math.random(1, ids)))
  end
elseif mode == "post" then
  request = function()
    counter = counter + 1
    return wrk.format("POST", base, nil, story(counter))
  end
elseif mode == "patch" then
  request = function()
    counter = counter + 1
    local body = string.format('{"outcome":"Revision %d of the outcome."}', counter)
    return wrk.format("PATCH", base .. "/" .. record_id(math.random(1, ids)), nil, body)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.6f,"p50_us":%d,"p99_us":%d,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
