-- GET /v1/items/{id} for random ids read from the file named by the ids_file option.
local ids

function init(args)
  parse_options(args)
  ids = read_ids()
end

function request()
  return get_item_request(ids)
end
