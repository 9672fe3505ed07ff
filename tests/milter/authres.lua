-- Authentication-Results fields that claim our authserv-id (authserv, a -D
-- global) are forged: deleted, by their index among the A-R fields; ours is
-- inserted at the top. Others' A-R fields stay. Global msgfile: a message
-- from bob@b.example signed with bob's key.
dofile(libdir .. "/lib.lua")

local fields, body = message_file(msgfile)
local forged = {
    { "Authentication-Results", authserv .. "; smime=pass body.smime-identifier=bob@b.example" },
    { "Authentication-Results", "other.example; spf=pass smtp.mailfrom=b.example" },
    { "Authentication-Results", string.upper(authserv) .. " (case differs);\n\tdkim=pass" },
}
local all = {}
for _, f in ipairs(forged) do all[#all + 1] = f end
for _, f in ipairs(fields) do all[#all + 1] = f end

local conn = open("192.0.2.25")
mail(conn, "QAR1", "bob@b.example")
expect_reply_value(rcpt(conn, "alice@a.example"), SMFIR_CONTINUE, "QAR1 RCPT")
content(conn, all, body)
expect_reply_value(eom(conn), SMFIR_CONTINUE, "QAR1 end of message")
check(mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results", 1), "QAR1: forged A-R #1 kept")
check(mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results", 3), "QAR1: forged A-R #3 kept")
check(not mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results", 2),
    "QAR1: other.example's A-R #2 deleted")
check(mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"), "QAR1: no A-R inserted")
local ar = mt.getheader(conn, "Authentication-Results", 0)
check(ar ~= nil, "QAR1: no A-R value")
check(ar:sub(1, #authserv + 1) == authserv .. ";", "QAR1: A-R does not start with our id: " .. ar)
check(ar:find("smime=pass", 1, true), "QAR1: A-R is not smime=pass: " .. ar)
check(ar:find("bob@b.example", 1, true), "QAR1: A-R does not name bob@b.example: " .. ar)
check(not ar:find("\r", 1, true), "QAR1: CR in the A-R value given to the MTA")
mt.echo("A-R: " .. ar)

-- A plain message with one forged field: deleted all the same.
mail(conn, "QAR2", "bob@b.example")
expect_reply_value(rcpt(conn, "alice@a.example"), SMFIR_CONTINUE, "QAR2 RCPT")
local plain = plain_fields("bob@b.example", "alice@a.example")
table.insert(plain, 2, { "Authentication-Results", authserv .. "; smime=pass" })
content(conn, plain, PLAIN_BODY)
expect_reply_value(eom(conn), SMFIR_CONTINUE, "QAR2 end of message")
check(mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results", 1), "QAR2: forged A-R kept")
check(not mt.eom_check(conn, MT_BODYCHANGE), "QAR2: body replaced")
mt.disconnect(conn)
