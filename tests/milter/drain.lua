-- SIGTERM while a message is in progress: the message still completes (signed
-- and encrypted), then cachetd exits; a new connection meanwhile is tempfailed. Global termcmd: sends the SIGTERM.
dofile(libdir .. "/lib.lua")

local conn = open("127.0.0.1")
mail(conn, "QDR1", "alice@a.example")
expect_reply_value(rcpt(conn, "bob@b.example"), SMFIR_CONTINUE, "QDR1 RCPT")
local ok = os.execute(termcmd)
check(ok == true or ok == 0, "termcmd failed: " .. termcmd)
-- While draining, a new connection is turned away with a temporary failure.
local late = mt.connect("unix:" .. sock, 10, 0.1)
check(late ~= nil, "the listener closed before the message in progress finished")
mt.conninfo(late, "late.example", "127.0.0.1")
expect_reply(late, SMFIR_TEMPFAIL, "connection during shutdown")
content(conn, plain_fields("alice@a.example", "bob@b.example"), PLAIN_BODY)
expect_reply_value(eom(conn), SMFIR_CONTINUE, "QDR1 end of message")
expect_replaced(conn, "QDR1", "application/pkcs7-mime")
mt.disconnect(conn)
