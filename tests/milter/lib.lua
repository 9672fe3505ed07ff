-- Loaded by every tests/milter/*.lua script (dofile(libdir .. "/lib.lua")):
-- one SMTP transaction at a time against the cachetd under test. Globals set
-- by lib.sh with miltertest -D: sock (the unix socket path), libdir.
local unpack = table.unpack or unpack

function check(cond, msg)
    if not cond then
        error("FAIL: " .. msg, 2)
    end
end

local reply_names = {}
for _, n in ipairs({ "SMFIR_CONTINUE", "SMFIR_ACCEPT", "SMFIR_REJECT", "SMFIR_TEMPFAIL",
    "SMFIR_DISCARD", "SMFIR_REPLYCODE" }) do
    reply_names[_G[n]] = n
end

function reply_name(r)
    return reply_names[r] or string.format("%q", string.char(math.floor(r)))
end

function expect_reply(conn, want, what)
    local got = mt.getreply(conn)
    check(got == want, what .. ": expected " .. reply_name(want) .. ", got " .. reply_name(got))
end

-- open(client_ip): a new milter connection from an SMTP client at client_ip.
function open(client_ip)
    local conn = mt.connect("unix:" .. sock, 100, 0.1)
    check(conn ~= nil, "cannot connect to unix:" .. sock)
    check(mt.conninfo(conn, "client.example", client_ip) == nil, "mt.conninfo failed")
    expect_reply(conn, SMFIR_CONTINUE, "connect")
    -- HELO explicitly: an implicit one would discard the MAIL macros sent below.
    check(mt.helo(conn, "client.example") == nil, "mt.helo failed")
    expect_reply(conn, SMFIR_CONTINUE, "HELO")
    return conn
end

-- mail(conn, qid, sender, {macro, value, ...}): MAIL FROM with {i} = qid.
function mail(conn, qid, sender, macros)
    local args = { conn, SMFIC_MAIL, "i", qid }
    for _, v in ipairs(macros or {}) do
        args[#args + 1] = v
    end
    check(mt.macro(unpack(args)) == nil, "mt.macro failed")
    check(mt.mailfrom(conn, "<" .. sender .. ">") == nil, "mt.mailfrom failed")
    expect_reply(conn, SMFIR_CONTINUE, "MAIL FROM:<" .. sender .. ">")
end

-- rcpt(conn, address): RCPT TO; returns the milter's reply.
function rcpt(conn, address)
    check(mt.rcptto(conn, "<" .. address .. ">") == nil, "mt.rcptto failed")
    return mt.getreply(conn)
end

-- content(conn, fields, body): the header fields ({name, value} pairs) and
-- the body; every step must be accepted.
function content(conn, fields, body)
    for _, f in ipairs(fields) do
        check(mt.header(conn, f[1], f[2]) == nil, "mt.header failed")
        expect_reply(conn, SMFIR_CONTINUE, "header " .. f[1])
    end
    check(mt.eoh(conn) == nil, "mt.eoh failed")
    expect_reply(conn, SMFIR_CONTINUE, "end of header")
    check(mt.bodystring(conn, body) == nil, "mt.bodystring failed")
    expect_reply(conn, SMFIR_CONTINUE, "body")
end

-- eom(conn): end of message; returns the final reply.
function eom(conn)
    check(mt.eom(conn) == nil, "mt.eom failed")
    return mt.getreply(conn)
end

function plain_fields(from, to)
    return {
        { "From", from },
        { "To", to },
        { "Subject", "quarterly numbers" },
        { "Message-ID", "<1@test.example>" },
        { "MIME-Version", "1.0" },
        { "Content-Type", "text/plain; charset=us-ascii" },
    }
end

PLAIN_BODY = "Hello.\r\nThe numbers are fine.\r\n"

-- send_plain(client_ip, qid, sender, recipient[, macros]): one plain message;
-- returns the connection (after end of message) and the final reply.
function send_plain(client_ip, qid, sender, recipient, macros)
    local conn = open(client_ip)
    mail(conn, qid, sender, macros)
    expect_reply_value(rcpt(conn, recipient), SMFIR_CONTINUE, "RCPT TO:<" .. recipient .. ">")
    content(conn, plain_fields(sender, recipient), PLAIN_BODY)
    return conn, eom(conn)
end

function expect_reply_value(got, want, what)
    check(got == want, what .. ": expected " .. reply_name(want) .. ", got " .. reply_name(got))
end

-- The result of an accepted message: changed (new body, new Content-Type) or not.
function expect_unchanged(conn, what)
    check(not mt.eom_check(conn, MT_BODYCHANGE), what .. ": body replaced")
    check(not mt.eom_check(conn, MT_HDRADD), what .. ": header added")
    check(not mt.eom_check(conn, MT_HDRCHANGE), what .. ": header changed")
end

function expect_replaced(conn, what, content_type_prefix)
    check(mt.eom_check(conn, MT_BODYCHANGE), what .. ": body not replaced")
    check(mt.eom_check(conn, MT_HDRDELETE, "Content-Type", 1),
        what .. ": the original Content-Type not deleted")
    check(mt.eom_check(conn, MT_HDRDELETE, "MIME-Version", 1),
        what .. ": the original MIME-Version not deleted")
    local ct = mt.getheader(conn, "Content-Type", 0)
    check(ct ~= nil, what .. ": no new Content-Type")
    check(ct:sub(1, #content_type_prefix) == content_type_prefix,
        what .. ": new Content-Type is '" .. ct .. "', expected '" .. content_type_prefix .. "...'")
    check(mt.getheader(conn, "MIME-Version", 0) ~= nil, what .. ": no new MIME-Version")
    check(not ct:find("\r", 1, true), what .. ": CR in a header value given to the MTA")
end

-- transaction(conn, qid, sender, recipient[, macros]): one plain message on an
-- open connection; returns the final reply.
function transaction(conn, qid, sender, recipient, macros)
    mail(conn, qid, sender, macros)
    expect_reply_value(rcpt(conn, recipient), SMFIR_CONTINUE, "RCPT TO:<" .. recipient .. ">")
    content(conn, plain_fields(sender, recipient), PLAIN_BODY)
    return eom(conn)
end

-- message_file(path): the header fields ({name, value}, folded lines joined
-- with LF as an MTA hands them over) and the body of an RFC 5322 file with
-- CRLF line ends.
function message_file(path)
    local f = assert(io.open(path, "rb"))
    local data = f:read("*a")
    f:close()
    local sep = data:find("\r\n\r\n", 1, true)
    check(sep ~= nil, path .. ": no empty line after the header")
    local fields = {}
    for line in data:sub(1, sep + 1):gmatch("(.-)\r\n") do
        if line:match("^[ \t]") then
            fields[#fields][2] = fields[#fields][2] .. "\n" .. line
        else
            local n, v = line:match("^([^:]+):[ \t]*(.*)$")
            check(n ~= nil, path .. ": not a header field: " .. line)
            fields[#fields + 1] = { n, v }
        end
    end
    return fields, data:sub(sep + 4)
end

-- logged_reply(qid): the SMTP reply cachetd logged for qid (debug line
-- "QID: reply CODE XCODE TEXT" in the daemon log, global dlog).
function logged_reply(qid)
    local f = assert(io.open(dlog, "rb"))
    local code, xcode, text
    for line in f:lines() do
        local c, x, t = line:match(": " .. qid .. ": reply (%d%d%d) (%d%.%d+%.%d+) (.*)$")
        if c ~= nil then
            code, xcode, text = c, x, t
        end
    end
    f:close()
    check(code ~= nil, "no reply logged for " .. qid)
    return code, xcode, text
end

-- expect_smtp_reply(conn, qid, class): the MTA was given the reply cachetd
-- logged for qid, and its code is of class ("4" or "5").
function expect_smtp_reply(conn, qid, class)
    local code, xcode, text = logged_reply(qid)
    check(code:sub(1, 1) == class and xcode:sub(1, 1) == class,
        qid .. ": reply " .. code .. " " .. xcode .. " is not " .. class .. "xx")
    check(mt.eom_check(conn, MT_SMTPREPLY, code, xcode, text),
        qid .. ": the MTA did not get '" .. code .. " " .. xcode .. " " .. text .. "'")
end
