-- RFC 3183 §3.2: a domain signature only for an authenticated originator. The
-- submitter is trusted by its address (trusted_networks, where {client_addr}
-- from the MTA overrides the connection's address) or by SASL ({auth_authen}).
dofile(libdir .. "/lib.lua")

-- Untrusted address, to b.example (DCA certificate known): encrypted, not signed.
local conn = open("192.0.2.7")
local r = transaction(conn, "QUN1", "alice@a.example", "bob@b.example")
expect_reply_value(r, SMFIR_CONTINUE, "QUN1 end of message")
expect_replaced(conn, "QUN1", "application/pkcs7-mime")
check(mt.getheader(conn, "Content-Type", 0):find("enveloped-data", 1, true), "QUN1: not enveloped")

-- Untrusted address, to c.example (nothing to encrypt to): left as it is.
r = transaction(conn, "QUN2", "alice@a.example", "dave@c.example")
expect_reply_value(r, SMFIR_CONTINUE, "QUN2 end of message")
expect_unchanged(conn, "QUN2")
mt.disconnect(conn)

-- Connection from a trusted address, but the MTA says (XFORWARD) that the
-- real client is 192.0.2.7: the macro wins, not signed.
conn = open("127.0.0.1")
r = transaction(conn, "QUN3", "alice@a.example", "dave@c.example", { "{client_addr}", "192.0.2.7" })
expect_reply_value(r, SMFIR_CONTINUE, "QUN3 end of message")
expect_unchanged(conn, "QUN3")
mt.disconnect(conn)

-- Untrusted address, SASL-authenticated: trusted, signed.
conn = open("192.0.2.7")
r = transaction(conn, "QUN4", "alice@a.example", "dave@c.example", { "{auth_authen}", "alice" })
expect_reply_value(r, SMFIR_CONTINUE, "QUN4 end of message")
expect_replaced(conn, "QUN4", "multipart/signed")
mt.disconnect(conn)
