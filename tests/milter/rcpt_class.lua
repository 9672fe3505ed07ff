-- One transaction, one policy class: the first RCPT fixes it, a RCPT of
-- another class is deferred (452 4.5.3) for the client to send separately.
dofile(libdir .. "/lib.lua")

local conn = open("127.0.0.1")
mail(conn, "QRC1", "alice@a.example")
expect_reply_value(rcpt(conn, "bob@b.example"), SMFIR_CONTINUE, "QRC1 bob@b.example")
expect_reply_value(rcpt(conn, "carol@b.example"), SMFIR_CONTINUE, "QRC1 carol@b.example (same domain)")
expect_reply_value(rcpt(conn, "dave@c.example"), SMFIR_REPLYCODE, "QRC1 dave@c.example (other domain)")
expect_reply_value(rcpt(conn, "alice2@a.example"), SMFIR_REPLYCODE, "QRC1 alice2@a.example (internal)")
content(conn, plain_fields("alice@a.example", "bob@b.example, carol@b.example"), PLAIN_BODY)
expect_reply_value(eom(conn), SMFIR_CONTINUE, "QRC1 end of message")
expect_replaced(conn, "QRC1", "application/pkcs7-mime")

-- Inbound first: an outbound or foreign recipient is deferred.
mail(conn, "QRC2", "bob@b.example")
expect_reply_value(rcpt(conn, "alice@a.example"), SMFIR_CONTINUE, "QRC2 alice@a.example (inbound)")
expect_reply_value(rcpt(conn, "dave@c.example"), SMFIR_REPLYCODE, "QRC2 dave@c.example (foreign)")
content(conn, plain_fields("bob@b.example", "alice@a.example"), PLAIN_BODY)
expect_reply_value(eom(conn), SMFIR_CONTINUE, "QRC2 end of message")
mt.disconnect(conn)
