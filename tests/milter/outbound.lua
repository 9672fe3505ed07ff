-- Outbound from a trusted submitter (client 127.0.0.1, inside trusted_networks).
dofile(libdir .. "/lib.lua")

-- To b.example, whose DCA certificate is in the store: domain-signed, then
-- encrypted (RFC 3183 §3.2 and §4 case d): body and MIME fields replaced.
local conn = open("127.0.0.1")
local r = transaction(conn, "QOUT1", "alice@a.example", "bob@b.example")
expect_reply_value(r, SMFIR_CONTINUE, "QOUT1 end of message")
expect_replaced(conn, "QOUT1", "application/pkcs7-mime")
local ct = mt.getheader(conn, "Content-Type", 0)
check(ct:find("smime-type=enveloped-data", 1, true), "QOUT1: not enveloped: " .. ct)
check(not mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"),
    "QOUT1: outbound mail got an Authentication-Results field")
check(not mt.eom_check(conn, MT_HDRDELETE, "Subject"), "QOUT1: Subject deleted")
check(not mt.eom_check(conn, MT_QUARANTINE), "QOUT1: quarantined")

-- Same connection, next transaction, to c.example (no certificate, no DCA,
-- opportunistic): signed only, multipart/signed. Proves the per-message state
-- is reset between transactions.
r = transaction(conn, "QOUT2", "alice@a.example", "dave@c.example")
expect_reply_value(r, SMFIR_CONTINUE, "QOUT2 end of message")
expect_replaced(conn, "QOUT2", "multipart/signed")
ct = mt.getheader(conn, "Content-Type", 0)
check(ct:find("application/pkcs7-signature", 1, true), "QOUT2: not an S/MIME signature: " .. ct)

-- A transaction the MTA aborts after the header (RSET): nothing is processed,
-- and the next one on the connection starts clean.
mail(conn, "QOUTA", "alice@a.example")
expect_reply_value(rcpt(conn, "bob@b.example"), SMFIR_CONTINUE, "QOUTA RCPT")
check(mt.header(conn, "Subject", "aborted") == nil, "mt.header failed")
check(mt.abort(conn) == nil, "mt.abort failed")

-- The null sender (a bounce) is neither ours nor signed: passed unchanged.
mail(conn, "QOUT3", "")
expect_reply_value(rcpt(conn, "bob@b.example"), SMFIR_CONTINUE, "QOUT3 RCPT")
content(conn, plain_fields("MAILER-DAEMON@a.example", "bob@b.example"), PLAIN_BODY)
expect_reply_value(eom(conn), SMFIR_CONTINUE, "QOUT3 end of message")
expect_unchanged(conn, "QOUT3")
mt.disconnect(conn)
