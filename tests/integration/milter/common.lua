-- Helpers for the miltertest scripts of tests/integration/milter_test.cpp.
-- miltertest (Debian's, from OpenDKIM) plays the MTA side of the milter
-- protocol; every failed expectation ends the script with an error, which
-- makes miltertest exit non-zero.

-- The kind of the last reply on a connection.
function answer(conn)
  local r = mt.getreply(conn)
  if r == SMFIR_CONTINUE then return "continue" end
  if r == SMFIR_REPLYCODE then return "replycode" end
  if r == SMFIR_TEMPFAIL then return "tempfail" end
  if r == SMFIR_REJECT then return "reject" end
  if r == SMFIR_ACCEPT then return "accept" end
  return "reply " .. tostring(r)
end

function expect(what, got, want)
  if got ~= want then
    error(what .. ": expected " .. want .. ", got " .. got)
  end
  mt.echo("ok " .. what .. ": " .. got)
end

-- An address for the transcript: a NUL as \0, a long one shortened.
function shown(address)
  local s = address:gsub("\0", "\\0")
  if #s > 60 then return s:sub(1, 30) .. "...(" .. #address .. " bytes)" end
  return s
end

function mail(conn, from, want)
  local err = mt.mailfrom(conn, from)
  if err ~= nil then error("MAIL " .. shown(from) .. ": " .. err) end
  expect("MAIL " .. shown(from), answer(conn), want)
end

function rcpt(conn, to, want)
  local err = mt.rcptto(conn, to)
  if err ~= nil then error("RCPT " .. shown(to) .. ": " .. err) end
  expect("RCPT " .. shown(to), answer(conn), want)
end

function open(socket)
  local conn = mt.connect(socket, 40, 0.25)
  if conn == nil then error("cannot connect to " .. socket) end
  local err = mt.negotiate(conn, nil, nil, nil)
  if err ~= nil then error("negotiation: " .. err) end
  return conn
end
