-- Shared by every bench script: key=value options after `--`, a distinct seed per thread,
-- the item requests, and one machine-readable JSON summary line printed when the run ends.
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
end

options = {}

function parse_options(args)
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if key then options[key] = value end
  end
  math.randomseed(tonumber(options.seed or "1") * 1000 + (thread_index or 0))
end

-- The ids of the file named by the ids_file option, one a line.
function read_ids()
  local ids = {}
  for line in io.lines(options.ids_file) do
    ids[#ids + 1] = line
  end
  return ids
end

function get_item_request(ids)
  return wrk.format("GET", "/v1/items/" .. ids[math.random(#ids)])
end

-- POSTs need a JSON content type; GETs ignore it. Each thread's skus: run prefix, thread index, counter.
function prepare_posts()
  wrk.headers["Content-Type"] = "application/json"
  post_sku_prefix = options.sku_prefix .. "-" .. thread_index .. "-"
  posts_sent = 0
end

function post_item_request()
  posts_sent = posts_sent + 1
  local body = string.format(
    '{"sku":"%s%d","name":"Bench item %d","description":"Created under load",' ..
    '"price":{"amount_minor":%d,"currency":"EUR"},"quantity":%d,"tags":["bench","load"]}',
    post_sku_prefix, posts_sent, posts_sent, 100 + posts_sent % 9900, posts_sent % 50)
  return wrk.format("POST", "/v1/items", nil, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
