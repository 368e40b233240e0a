-- wrk script of bench/run.py. BENCH_MODE=get sends wrk's one fixed request;
-- BENCH_MODE=add_item POSTs one unit of a demo sku to a random cart of the
-- ids in BENCH_CART_IDS (one per line). done() prints one BENCH_JSON line.

local mode = os.getenv("BENCH_MODE") or "get"
local skus = {
  "MUG-STONE", "TEE-ORG-M", "HOODIE-L", "SNEAKER-42", "HEADPHONES", "LAMP-DESK",
  "COFFEE-500", "CHOC-DARK", "TEA-EARL", "BOOK-COOK", "BOOK-NOVEL", "MAG-DESIGN",
}
local threads = {}
local next_thread = 0

function setup(thread)
  -- Each thread gets its own seed, so threads do not hit carts in lockstep.
  next_thread = next_thread + 1
  thread:set("thread_no", next_thread)
  table.insert(threads, thread)
end

if mode == "add_item" then
  local ids = {}
  local sent = 0
  local headers = { ["Content-Type"] = "application/json" }

  function init(args)
    for line in io.lines(os.getenv("BENCH_CART_IDS")) do
      if line ~= "" then ids[#ids + 1] = line end
    end
    math.randomseed(os.time() * 1000 + (thread_no or 0))
  end

  function request()
    sent = sent + 1
    local id = ids[math.random(#ids)]
    -- Rotating skus keeps a hammered cart below the per-line quantity limit longer.
    local sku = skus[(sent + (thread_no or 0)) % #skus + 1]
    local body = '{"sku":"' .. sku .. '","quantity":1}'
    return wrk.format("POST", "/api/carts/" .. id .. "/items", headers, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
