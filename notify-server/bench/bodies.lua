-- wrk script: POST one JSON body per line of the file named by $BODIES; the threads take
-- alternate lines, so that no two requests send the same line (see init below).
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

-- Bodies are read lazily, one line per request, so that no thread spends the first seconds
-- of the run loading a file while the other already sends (which inflated the rate). With
-- THREADS threads (default 2), thread t takes lines t, t + THREADS, t + 2 * THREADS, ...: no
-- two requests of a run send the same line, until a thread wraps around at the end of the
-- file (bench_data makes enough bundles for a run; a wrap is reported, except with DISTINCT=1,
-- where every request is made distinct anyway).
function init(args)
  file = assert(io.open(os.getenv("BODIES"), "r"))
  threads = tonumber(os.getenv("THREADS") or "2")
  distinct = os.getenv("DISTINCT") == "1"
  sent = 0
  wraps = 0
  for _ = 1, (tid or 0) do file:read("*l") end
end

local function next_line()
  local line = file:read("*l")
  if line == nil then
    wraps = wraps + 1
    if wraps == 1 and not distinct then
      io.stderr:write("bodies.lua: thread " .. (tid or 0) .. " reached the end of " ..
        os.getenv("BODIES") .. " and started again: some bodies are sent twice\n")
    end
    file:seek("set", 0)
    for _ = 1, (tid or 0) do file:read("*l") end
    line = file:read("*l")
  end
  -- Skip the other threads' lines.
  for _ = 2, threads do file:read("*l") end
  return line
end

function request()
  local body = next_line()
  if distinct then
    sent = sent + 1
    -- Bodies end with the record's last character, then `"}`.
    local stamp = b64digits(tid or 0, 2) .. b64digits(sent, 6)
    body = body:sub(1, #body - 11) .. stamp .. body:sub(#body - 2)
  end
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

