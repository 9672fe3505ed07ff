-- One inbound message (qid) carrying two Authentication-Results fields: #1
-- claims authserv (must be deleted), #2 claims other (must stay); then one
-- outbound message (qid .. "O") that must be signed and encrypted, which
-- needs the domain keys. Globals: qid, authserv, other; hupcmd (optional): a
-- command run after MAIL FROM of the inbound message, before its header.
dofile(libdir .. "/lib.lua")

local conn = open("192.0.2.25")
mail(conn, qid, "bob@b.example")
expect_reply_value(rcpt(conn, "alice@a.example"), SMFIR_CONTINUE, qid .. " RCPT")
if hupcmd ~= nil then
    local ok = os.execute(hupcmd)
    check(ok == true or ok == 0, "hupcmd failed: " .. hupcmd)
end
local fields = plain_fields("bob@b.example", "alice@a.example")
table.insert(fields, 1, { "Authentication-Results", other .. "; smime=pass" })
table.insert(fields, 1, { "Authentication-Results", authserv .. "; smime=pass" })
content(conn, fields, PLAIN_BODY)
expect_reply_value(eom(conn), SMFIR_CONTINUE, qid .. " end of message")
check(mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results", 1),
    qid .. ": the field claiming " .. authserv .. " was kept")
check(not mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results", 2),
    qid .. ": the field claiming " .. other .. " was deleted")

local r = transaction(conn, qid .. "O", "alice@a.example", "bob@b.example")
expect_reply_value(r, SMFIR_CONTINUE, qid .. "O end of message")
expect_replaced(conn, qid .. "O", "application/pkcs7-mime")
mt.disconnect(conn)
