-- ATTACKS OR-03 / GW-13 with the real cachetd: inbound recipients of two of
-- our domains never share a transaction (452 4.5.3 for the second domain);
-- with split = recipient not even two of one domain; and a ciphertext for
-- alice sent to alice and alice2 together is passed on unopened.
dofile(libdir .. "/lib.lua")

local conn = open("198.51.100.9")
mail(conn, "QOR1", "eve@evil.example")
expect_reply_value(rcpt(conn, "alice@a.example"), SMFIR_CONTINUE, "QOR1 alice@a.example")
expect_reply_value(rcpt(conn, "bob@b.example"), SMFIR_REPLYCODE, "QOR1 bob@b.example (other tenant)")
expect_reply_value(rcpt(conn, "Bob@B.Example"), SMFIR_REPLYCODE, "QOR1 Bob@B.Example (other tenant)")
if split == "recipient" then
    expect_reply_value(rcpt(conn, "alice2@a.example"), SMFIR_REPLYCODE, "QOR1 alice2 (own transaction)")
    content(conn, plain_fields("eve@evil.example", "alice@a.example"), PLAIN_BODY)
    expect_reply_value(eom(conn), SMFIR_CONTINUE, "QOR1 end of message")
else
    expect_reply_value(rcpt(conn, "alice2@a.example"), SMFIR_CONTINUE, "QOR1 alice2 (same domain)")
    local fields, body = message_file(encrypted)
    content(conn, fields, body)
    expect_reply_value(eom(conn), SMFIR_CONTINUE, "QOR1 end of message")
    expect_unchanged(conn, "QOR1 ciphertext for alice sent to alice and alice2")
end
mt.disconnect(conn)
