-- POST /v1/items with a unique sku per request: run prefix, thread index and a counter.
local sent = 0
local sku_prefix

function init(args)
  parse_options(args)
  wrk.headers["Content-Type"] = "application/json"
  sku_prefix = options.sku_prefix .. "-" .. thread_index .. "-"
end

function request()
  sent = sent + 1
  local body = string.format(
    '{"sku":"%s%d","name":"Bench item %d","description":"Created under load",' ..
    '"price":{"amount_minor":%d,"currency":"EUR"},"quantity":%d,"tags":["bench","load"]}',
    sku_prefix, sent, sent, 100 + sent % 9900, sent % 50)
  return wrk.format("POST", "/v1/items", nil, body)
end
