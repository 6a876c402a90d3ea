-- GET /v1/items/{id} for random ids read from the file named by the ids_file option.
local ids = {}

function init(args)
  parse_options(args)
  for line in io.lines(options.ids_file) do
    ids[#ids + 1] = line
  end
end

function request()
  return wrk.format("GET", "/v1/items/" .. ids[math.random(#ids)])
end
