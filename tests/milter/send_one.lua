-- One outbound message (global qid) that must be signed and encrypted.
dofile(libdir .. "/lib.lua")
local conn = open("127.0.0.1")
expect_reply_value(transaction(conn, qid, "alice@a.example", "bob@b.example"), SMFIR_CONTINUE,
    qid .. " end of message")
expect_replaced(conn, qid, "application/pkcs7-mime")
mt.disconnect(conn)
