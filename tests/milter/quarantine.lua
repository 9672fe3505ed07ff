-- Inbound failure policy (on_failure) applied by the milter: a tampered
-- signed message (global msgfile, from bob@b.example) to
--   alice@a.example (quarantine = security@a.example): recipients replaced,
--   alice@q.example (quarantine, no address): the MTA's hold queue,
--   alice@r.example (reject): refused with a 5xx.
dofile(libdir .. "/lib.lua")
local fields, body = message_file(msgfile)

local function deliver(qid, rcpt_to)
    local conn = open("192.0.2.25")
    mail(conn, qid, "bob@b.example")
    expect_reply_value(rcpt(conn, rcpt_to), SMFIR_CONTINUE, qid .. " RCPT")
    content(conn, fields, body)
    return conn, eom(conn)
end

local conn, r = deliver("QQ1", "alice@a.example")
expect_reply_value(r, SMFIR_CONTINUE, "QQ1 end of message")
check(mt.eom_check(conn, MT_RCPTDELETE, "<alice@a.example>"), "QQ1: recipient not removed")
check(mt.eom_check(conn, MT_RCPTADD, "<security@a.example>"), "QQ1: quarantine address not added")
check(not mt.eom_check(conn, MT_QUARANTINE), "QQ1: held as well")
local ar = mt.getheader(conn, "Authentication-Results", 0)
check(ar ~= nil and ar:find("smime=fail", 1, true), "QQ1: A-R is not smime=fail: " .. tostring(ar))
mt.disconnect(conn)

conn, r = deliver("QQ2", "alice@q.example")
expect_reply_value(r, SMFIR_CONTINUE, "QQ2 end of message")
check(mt.eom_check(conn, MT_QUARANTINE), "QQ2: not held")
check(not mt.eom_check(conn, MT_RCPTDELETE, "<alice@q.example>"), "QQ2: recipient removed")
mt.disconnect(conn)

conn, r = deliver("QQ3", "alice@r.example")
expect_reply_value(r, SMFIR_REPLYCODE, "QQ3 end of message")
expect_smtp_reply(conn, "QQ3", "5")
check(not mt.eom_check(conn, MT_QUARANTINE), "QQ3: held")
mt.disconnect(conn)
