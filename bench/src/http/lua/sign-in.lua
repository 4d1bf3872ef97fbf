-- POST auth.signIn, rotating through the fixture's accounts (CREDENTIALS_FILE: "email password" per line).
local bodies = {}
for line in io.lines(os.getenv("CREDENTIALS_FILE")) do
  local email, password = line:match("^(%S+) (%S+)$")
  bodies[#bodies + 1] = '{"email":"' .. email .. '","password":"' .. password .. '"}'
end
local i = 0
request = function()
  i = (i % #bodies) + 1
  return wrk.format("POST", "/trpc/auth.signIn", { ["Content-Type"] = "application/json" }, bodies[i])
end
