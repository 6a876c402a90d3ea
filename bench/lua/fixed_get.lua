-- GET of the URL given on the command line, unchanged for every request.
function init(args)
  parse_options(args)
end
