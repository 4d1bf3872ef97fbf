-- GET wrk.path with a bearer token rotating through TOKENS_FILE (one per line).
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = (i % #tokens) + 1
  return wrk.format("GET", os.getenv("TARGET_PATH"), { ["Authorization"] = "Bearer " .. tokens[i] })
end
