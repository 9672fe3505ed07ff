-- Several messages on one connection, run by many miltertest processes at
-- once (concurrent.sh): every one must come out signed and encrypted.
-- Globals: tag (unique per process), count.
dofile(libdir .. "/lib.lua")
local conn = open("127.0.0.1")
for i = 1, tonumber(count) do
    local qid = "QCC" .. tag .. "x" .. i
    expect_reply_value(transaction(conn, qid, "alice@a.example", "bob@b.example"),
        SMFIR_CONTINUE, qid .. " end of message")
    expect_replaced(conn, qid, "application/pkcs7-mime")
end
mt.disconnect(conn)
