-- Required encryption without a certificate: never sent in the clear. The
-- milter answers with the result's reply code: tempfail by default, reject
-- when the partner says missing_certificate = reject.
dofile(libdir .. "/lib.lua")

local conn = open("127.0.0.1")
local r = transaction(conn, "QREQ1", "alice@a.example", "dave@c.example")
expect_reply_value(r, SMFIR_REPLYCODE, "QREQ1 end of message")
check(not mt.eom_check(conn, MT_BODYCHANGE), "QREQ1: body replaced on a tempfail")
check(not mt.eom_check(conn, MT_HDRADD), "QREQ1: header added on a tempfail")
expect_smtp_reply(conn, "QREQ1", "4")

r = transaction(conn, "QREQ2", "alice@a.example", "erin@d.example")
expect_reply_value(r, SMFIR_REPLYCODE, "QREQ2 end of message")
check(not mt.eom_check(conn, MT_BODYCHANGE), "QREQ2: body replaced on a reject")
expect_smtp_reply(conn, "QREQ2", "5")

-- The same connection still works after a refusal.
r = transaction(conn, "QREQ3", "alice@a.example", "bob@b.example")
expect_reply_value(r, SMFIR_CONTINUE, "QREQ3 end of message")
expect_replaced(conn, "QREQ3", "application/pkcs7-mime")
mt.disconnect(conn)
