-- max_message_size (1K in limits.sh): a message above it is rejected while its
-- body arrives (552 5.3.4), before anything is processed; one below passes.
dofile(libdir .. "/lib.lua")

local conn = open("127.0.0.1")
mail(conn, "QBIG", "alice@a.example")
expect_reply_value(rcpt(conn, "bob@b.example"), SMFIR_CONTINUE, "QBIG RCPT")
for _, f in ipairs(plain_fields("alice@a.example", "bob@b.example")) do
    check(mt.header(conn, f[1], f[2]) == nil, "mt.header failed")
end
check(mt.eoh(conn) == nil, "mt.eoh failed")
check(mt.bodystring(conn, string.rep("0123456789abcdef\r\n", 64)) == nil, "mt.bodystring failed")
expect_reply(conn, SMFIR_REPLYCODE, "QBIG body above max_message_size")
mt.disconnect(conn)

conn = open("127.0.0.1")
expect_reply_value(transaction(conn, "QSMALL", "alice@a.example", "bob@b.example"),
    SMFIR_CONTINUE, "QSMALL end of message")
expect_replaced(conn, "QSMALL", "application/pkcs7-mime")
mt.disconnect(conn)
