-- POST task.create, rotating through the users' tokens.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = (i % #tokens) + 1
  return wrk.format("POST", "/trpc/task.create", {
    ["Authorization"] = "Bearer " .. tokens[i],
    ["Content-Type"] = "application/json",
  }, '{"title":"Benchmark task ' .. i .. '","priority":"medium","tags":["bench"]}')
end
