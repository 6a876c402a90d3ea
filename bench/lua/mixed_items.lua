-- GETs of random seeded ids (ids_file) and POSTs of new items, a post_share of the requests POSTs.
local ids
local post_share

function init(args)
  parse_options(args)
  ids = read_ids()
  prepare_posts()
  post_share = tonumber(options.post_share or "0.25")
end

function request()
  if math.random() < post_share then
    return post_item_request()
  end
  return get_item_request(ids)
end
