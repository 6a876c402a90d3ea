-- POST /v1/items with a unique sku per request: run prefix, thread index and a counter.
function init(args)
  parse_options(args)
  prepare_posts()
end

function request()
  return post_item_request()
end
