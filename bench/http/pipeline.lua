-- wrk script for the pipelined HTTP benchmark: every write carries DEPTH
-- GET requests for the URL's path (DEPTH is the script argument after --,
-- default 16). wrk counts the requests in the string it is given and waits
-- for that many replies before it writes again.
--
--   wrk -t1 -c100 -d5s --latency -s pipeline.lua http://127.0.0.1:8080/ -- 16

local batch

function init(args)
  local depth = tonumber(args[1]) or 16
  local one = wrk.format("GET")
  batch = string.rep(one, depth)
end

function request()
  return batch
end
