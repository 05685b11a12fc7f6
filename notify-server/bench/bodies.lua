-- wrk script: POST one JSON body per line of the file named by $BODIES, each thread starting at
-- its own offset so that threads do not send the same bodies at the same time.
--
-- With DISTINCT=1 (vault uploads) every request's record is different from every other one
-- sent in the run: eight base64 characters near the record's end (six bytes; the last
-- character, which carries padding bits, is kept) are replaced by the thread's number and a
-- running count. The server stores records it cannot read, so it
-- treats these exactly as sealed records; no two requests store the same bytes.
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

local function b64digits(n, width)
  local out = {}
  for k = width, 1, -1 do
    local d = n % 64
    out[k] = alphabet:sub(d + 1, d + 1)
    n = math.floor(n / 64)
  end
  return table.concat(out)
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("BODIES")) do
    bodies[#bodies + 1] = line
  end
  distinct = os.getenv("DISTINCT") == "1"
  sent = 0
  i = math.floor((tid or 0) * #bodies / 4)
end

function request()
  i = i + 1
  if i > #bodies then i = 1 end
  local body = bodies[i]
  if distinct then
    sent = sent + 1
    -- Bodies end with the record's last character, then `"}`.
    local stamp = b64digits(tid or 0, 2) .. b64digits(sent, 6)
    body = body:sub(1, #body - 11) .. stamp .. body:sub(#body - 2)
  end
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end
