-- Protocol edge cases Postfix does not easily produce (issue #11): missing
-- macros, abort in the middle and reuse of the connection, several messages
-- per connection, 100 RCPTs in one message, empty and hostile addresses.
-- Run with -D socket=inet:PORT@127.0.0.1 -D dir=TESTS_SOURCE_DIR.
dofile(dir .. "/common.lua")

local conn = open(socket)

-- No macros at all: no queue id, no {auth_authen}.  Still checked.
mail(conn, "<sender@sender.test>", "continue")
rcpt(conn, "<alice@example.org>", "continue")
rcpt(conn, "<nobody@example.org>", "replycode")
rcpt(conn, "<x@elsewhere.test>", "continue")

-- Abort in the middle; the connection goes on with a message whose login does
-- not own its sender.
mt.abort(conn)
mt.macro(conn, SMFIC_MAIL, "i", "MT0002", "{auth_authen}", "bob@example.org")
mail(conn, "<alice@example.org>", "replycode")
mt.abort(conn)

-- Several messages on one connection: the login of one never carries over.
mt.macro(conn, SMFIC_MAIL, "i", "MT0003", "{auth_authen}", "bob@example.org")
mail(conn, "<bob@example.org>", "continue")
rcpt(conn, "<info@example.org>", "continue")
mt.abort(conn)
mt.macro(conn, SMFIC_MAIL, "i", "MT0004")
mail(conn, "<alice@example.org>", "continue") -- unauthenticated, policy off
rcpt(conn, "<carol@example.net>", "continue")
mt.abort(conn)

-- The login arrives only with RCPT: the sender is checked there, and every
-- later RCPT of the message gets the same refusal.
mt.macro(conn, SMFIC_MAIL, "i", "MT0005")
mail(conn, "<carol@example.net>", "continue")
mt.macro(conn, SMFIC_RCPT, "{auth_authen}", "bob@example.org")
rcpt(conn, "<alice@example.org>", "replycode")
rcpt(conn, "<bob@example.org>", "replycode")
mt.abort(conn)

-- 100 recipients in one message, known and unknown in turn.
mt.macro(conn, SMFIC_MAIL, "i", "MT0006")
mail(conn, "<>", "continue") -- the null sender
local accepted, refused = 0, 0
for i = 1, 100 do
  local to = (i % 2 == 0) and ("<alice+" .. i .. "@example.org>") or ("<ghost" .. i .. "@example.org>")
  mt.rcptto(conn, to)
  local a = answer(conn)
  if a == "continue" then accepted = accepted + 1 elseif a == "replycode" then refused = refused + 1 end
end
expect("100 RCPTs accepted", tostring(accepted), "50")
expect("100 RCPTs refused", tostring(refused), "50")
mt.abort(conn)

-- Empty and hostile addresses: never an error, never a wider search.
mt.macro(conn, SMFIC_MAIL, "i", "MT0007")
mail(conn, "<>", "continue")
rcpt(conn, "<>", "continue")                        -- no domain: the MTA's business
rcpt(conn, "", "continue")
rcpt(conn, "*", "continue")
rcpt(conn, ")(", "continue")
rcpt(conn, "<*@example.org>", "replycode")          -- 550 5.1.1
rcpt(conn, "<*)(objectClass=*@example.org>", "replycode")
rcpt(conn, "<alice@example.org)(jvd=*>", "continue") -- no valid domain
rcpt(conn, "<a\\2a@example.org>", "replycode")
rcpt(conn, "<alice\0x@example.org>", "continue")     -- cut at the NUL: no domain
-- A 1000-byte local part (miltertest cannot send an argument of 1 KB or more;
-- milter_test.cpp sends 1024 bytes through Postfix).
rcpt(conn, "<" .. string.rep("a", 1000) .. "@example.org>", "replycode")
rcpt(conn, "<" .. string.rep("a", 1000) .. "@elsewhere.test>", "continue")
rcpt(conn, "<100%@example.org>", "replycode")
rcpt(conn, "<bob@example.org>", "continue")
mt.abort(conn)

mt.disconnect(conn)
mt.echo("edge cases done")
