-- wrk script: POST one JSON body per line of the file named by $BODIES, each thread starting at
-- its own offset so that threads do not send the same bodies at the same time.
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("BODIES")) do
    bodies[#bodies + 1] = line
  end
  i = math.floor((tid or 0) * #bodies / 4)
end

function request()
  i = i + 1
  if i > #bodies then i = 1 end
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, bodies[i])
end
