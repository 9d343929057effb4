-- One message: MAIL FROM from (with {auth_authen} = login when given), then
-- RCPT for each address of rcpts (space-separated); prints the kind of every
-- reply ("RCPT <a> continue") for the C++ test to judge.
-- Run with -D socket=... -D dir=... -D from=... [-D login=...] -D rcpts="...".
dofile(dir .. "/common.lua")

local conn = open(socket)
if login ~= nil then
  mt.macro(conn, SMFIC_MAIL, "i", "ENV001", "{auth_authen}", login)
else
  mt.macro(conn, SMFIC_MAIL, "i", "ENV001")
end
mt.mailfrom(conn, from)
mt.echo("MAIL " .. from .. " " .. answer(conn))
for to in string.gmatch(rcpts, "%S+") do
  mt.rcptto(conn, to)
  mt.echo("RCPT " .. to .. " " .. answer(conn))
end
mt.disconnect(conn)
