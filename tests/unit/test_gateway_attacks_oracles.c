/* ATTACKS.md OR-01 (reply-based decryption oracle: a captured ciphertext
 * embedded in an attacker's message), OR-02 / PO-03 (bounces, notifications:
 * cachetd has none of its own, and its one answer to the sender, the SMTP
 * reply, is the same for every decryption failure), PO-01 / PO-02 / PO-04
 * (the reply at end of data does not depend on what decryption gave), through
 * cachetd_process at b.example's gateway, which holds the DCA key. */
#include <strings.h>

#include <openssl/evp.h>

#include "test_gateway_attacks_util.h"

#define SECRET "The numbers are fine."

static bool captured_for_dca(cachet_membuf *out) {
    const char *certs[] = {"dca-b", NULL};
    const char *rcpts[] = {BOB, NULL};
    return gw_a_out(certs, "[domain a.example]\n", rcpts, PLAIN_MSG, out);
}

static bool gw_b(gw *g, const char *conf) {
    const char *keys[] = {"dsa-b", "dca-b", "bob", NULL};
    return gw_open(g, keys, NULL, "mx.b.example", conf);
}

/* split_msg: the header (up to and without the empty line) and the body. */
static bool split_msg(const cachet_membuf *m, char **head, char **body) {
    size_t blen = 0;
    const uint8_t *b = body_of(m, &blen);
    if (b == NULL) {
        return false;
    }
    size_t hlen = (size_t)(b - m->data) - 4;
    *head = strndup((const char *)m->data, hlen);
    *body = strndup((const char *)b, blen);
    return *head != NULL && *body != NULL;
}

/* content_header: the Content-* fields of |head| (each with its CRLF). */
static char *content_header(const char *head) {
    char *out = calloc(1, strlen(head) + 3);
    const char *p = head;
    bool keep = false;
    while (out != NULL && *p != '\0') {
        const char *eol = strstr(p, "\r\n");
        size_t n = eol != NULL ? (size_t)(eol - p) + 2 : strlen(p);
        if (*p != ' ' && *p != '\t') {
            keep = strncasecmp(p, "Content-", 8) == 0;
        }
        if (keep) {
            strncat(out, p, n);
        }
        p += n;
    }
    if (out != NULL && strlen(out) > 0 && out[strlen(out) - 1] != '\n') {
        strcat(out, "\r\n");
    }
    return out;
}

/* ---- OR-01 ---- */

/* The covert-content structures of "Re: What's up Johnny?" around the
 * captured ciphertext part |P| (its Content-* fields and base64 body): the
 * gateway opens only an envelope at the root, so a reply cannot quote it. */
static void or01_captured_ciphertext_inside_attacker_mail_is_not_decrypted(void) {
    REQUIRE_PKI();
    cachet_membuf m;
    CHECK(captured_for_dca(&m));
    char *head = NULL, *body = NULL;
    CHECK(split_msg(&m, &head, &body));
    char *ct = head != NULL ? content_header(head) : NULL;
    CHECK(ct != NULL && starts_with(ct, "Content-Type: application/pkcs7-mime"));
    size_t plen = (ct != NULL ? strlen(ct) : 0) + (body != NULL ? strlen(body) : 0) + 64;
    char *part = malloc(plen);
    snprintf(part, plen, "%s\r\n%s", ct != NULL ? ct : "", body != NULL ? body : "");
    char *whole = strndup((const char *)m.data, m.len);
    static const struct {
        const char *name;
        const char *fmt; /* %s: the ciphertext part (twice for dbl) */
        int parts;
    } shapes[] = {
        {"crlf",
         "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
         "Content-Type: text/plain\r\n\r\nPlease reply.\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
         "--b1\r\nContent-Disposition: inline\r\n%s\r\n--b1--\r\n",
         1},
        {"css",
         "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
         "Content-Type: text/html\r\n\r\n<p>Please reply.</p><div style=\"display:none\">\r\n"
         "--b1\r\n%s\r\n--b1\r\nContent-Type: text/html\r\n\r\n</div>\r\n--b1--\r\n",
         1},
        {"dbl",
         "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n%s\r\n--b1\r\n%s\r\n"
         "--b1--\r\n",
         2},
        {"alt",
         "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n"
         "Content-Type: text/plain\r\n\r\nPlease reply.\r\n--b1\r\n%s\r\n--b1--\r\n",
         1},
        {"rel",
         "Content-Type: multipart/related; boundary=\"b1\"\r\n\r\n--b1\r\n"
         "Content-Type: text/html\r\n\r\n<img src=\"cid:x@evil\">\r\n--b1\r\n"
         "Content-ID: <x@evil>\r\n%s\r\n--b1--\r\n",
         1},
    };
    gw g;
    CHECK(gw_b(&g, "[domain b.example]\n"));
    const char *to_bob[] = {BOB, NULL};
    for (size_t i = 0; part != NULL && i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        size_t n = strlen(shapes[i].fmt) + 2 * strlen(part) + 16;
        char *ctb = malloc(n);
        if (shapes[i].parts == 2) {
            snprintf(ctb, n, shapes[i].fmt, part, part);
        } else {
            snprintf(ctb, n, shapes[i].fmt, part);
        }
        char *msg = inbound_msg(BOB, ctb);
        cachetd_result r;
        CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", (const uint8_t *)msg, strlen(msg), &r));
        if (r.verdict != CACHETD_CONTINUE || r.replaced || result_has_text(&r, SECRET) ||
            contains(r.summary, "decrypt") || !starts_with(r.summary, "action=none result=")) {
            fprintf(stderr, "shape %s: %s\n", shapes[i].name, r.summary);
            cachet_test_failures++;
        }
        cachetd_result_clear(&r);
        free(msg);
        free(ctb);
    }
    /* 822 and a fake bounce: the whole captured message as a message/rfc822
     * part, alone and inside multipart/report. */
    static const char *const wrapped[] = {
        "Content-Type: message/rfc822\r\n\r\n%s",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n"
        "--b1\r\nContent-Type: text/plain\r\n\r\nUndeliverable.\r\n--b1\r\n"
        "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.evil.example\r\n"
        "\r\nFinal-Recipient: rfc822; bob@b.example\r\nAction: failed\r\nStatus: 5.0.0\r\n\r\n"
        "--b1\r\nContent-Type: message/rfc822\r\n\r\n%s\r\n--b1--\r\n",
    };
    for (size_t i = 0; whole != NULL && i < 2; i++) {
        size_t n = strlen(wrapped[i]) + strlen(whole) + 16;
        char *ctb = malloc(n);
        snprintf(ctb, n, wrapped[i], whole);
        char *msg = inbound_msg(BOB, ctb);
        cachetd_result r;
        CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", (const uint8_t *)msg, strlen(msg), &r));
        CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
        CHECK(!r.replaced);
        CHECK(!result_has_text(&r, SECRET));
        CHECK(!contains(r.summary, "decrypt"));
        cachetd_result_clear(&r);
        free(msg);
        free(ctb);
    }
    /* control: the same ciphertext at the root opens */
    cachetd_result r;
    CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", m.data, m.len, &r));
    CHECK(r.replaced && mem_contains(r.new_message.data, r.new_message.len, SECRET));
    cachetd_result_clear(&r);
    gw_close(&g);
    free(whole);
    free(part);
    free(ct);
    free(head);
    free(body);
    cachet_membuf_free(&m);
}

/* ---- PO-01 / PO-02 / PO-03 / OR-02 ---- */

/* with_body: |head| + CRLF CRLF + |der| as base64 lines of 76. */
static bool with_body(const char *head, const uint8_t *der, size_t n, cachet_membuf *out) {
    memset(out, 0, sizeof(*out));
    size_t b64len = 4 * ((n + 2) / 3);
    unsigned char *b64 = malloc(b64len + 1);
    if (b64 == NULL || EVP_EncodeBlock(b64, der, (int)n) != (int)b64len) {
        free(b64);
        return false;
    }
    cachet_sink s = cachet_sink_membuf(out);
    bool ok = s.write(s.arg, (const uint8_t *)head, strlen(head)) == CACHET_OK &&
              s.write(s.arg, (const uint8_t *)"\r\n\r\n", 4) == CACHET_OK;
    for (size_t i = 0; ok && i < b64len; i += 76) {
        size_t k = b64len - i < 76 ? b64len - i : 76;
        ok = s.write(s.arg, b64 + i, k) == CACHET_OK &&
             s.write(s.arg, (const uint8_t *)"\r\n", 2) == CACHET_OK;
    }
    free(b64);
    return ok;
}

/* der_of: the base64 body of |m| decoded (|head| receives the header). */
static uint8_t *der_of(const cachet_membuf *m, char **head, size_t *n) {
    char *body = NULL;
    *head = NULL;
    if (!split_msg(m, head, &body)) {
        free(body);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; body[i] != '\0'; i++) {
        if (body[i] != '\r' && body[i] != '\n') {
            body[k++] = body[i];
        }
    }
    body[k] = '\0';
    uint8_t *der = malloc(k);
    int got = der != NULL ? EVP_DecodeBlock(der, (const unsigned char *)body, (int)k) : -1;
    size_t pad = (k > 0 && body[k - 1] == '=') + (k > 1 && body[k - 2] == '=');
    free(body);
    if (got < 0) {
        free(der);
        return NULL;
    }
    *n = (size_t)got - pad;
    return der;
}

/* The bytes the oracles aim at, counted from the end of the ciphertext
 * (ct_byte maps them onto the DER): the last byte is the CBC padding; 17 is
 * the last byte of block n-1 (Vaudenay's oracle). The GCM tag is the mac
 * OCTET STRING after the content. 0 replaces the RSA encryptedKey. */
#define CT_LAST 1
#define CT_PREV_BLOCK 17
#define GCM_TAG 1000
#define RANDOM_KEY 0

/* ct_byte: the DER offset of ciphertext byte |from_end| (1 = last), walking
 * the constructed [0] encryptedContent that follows the encryptedKey; a GCM
 * tag is the 16-byte OCTET STRING right after its end-of-contents pairs. */
static bool ct_byte(const uint8_t *der, size_t n, size_t from_end, size_t *at) {
    size_t p = 0;
    while (p + 4 + 256 <= n &&
           !(der[p] == 0x04 && der[p + 1] == 0x82 && der[p + 2] == 0x01 && der[p + 3] == 0)) {
        p++;
    }
    p += 4 + 256;
    while (p + 2 < n && !(der[p] == 0xa0 && der[p + 1] == 0x80 && der[p + 2] == 0x04)) {
        p++;
    }
    p += 2;
    size_t offs[4096], lens[4096], num = 0;
    while (p + 2 <= n && der[p] == 0x04 && num < 4096) {
        size_t len = der[p + 1], hl = 2;
        if (len == 0x81) {
            len = der[p + 2];
            hl = 3;
        } else if (len == 0x82) {
            len = (size_t)der[p + 2] << 8 | der[p + 3];
            hl = 4;
        } else if (len > 0x7f) {
            return false;
        }
        offs[num] = p + hl;
        lens[num++] = len;
        p += hl + len;
    }
    if (p + 4 > n || der[p] != 0 || der[p + 1] != 0) {
        return false;
    }
    if (from_end == GCM_TAG) {
        /* end of [0], end of EncryptedContentInfo, then mac OCTET STRING (16) */
        if (der[p + 2] != 0 || der[p + 3] != 0 || p + 22 > n || der[p + 4] != 0x04 ||
            der[p + 5] != 0x10) {
            return false;
        }
        *at = p + 6 + 15;
        return true;
    }
    for (size_t k = num; k-- > 0;) {
        if (from_end <= lens[k]) {
            *at = offs[k] + lens[k] - from_end;
            return true;
        }
        from_end -= lens[k];
    }
    return false;
}

/* mutate_msg xors |x| into the ciphertext byte |from_end| of |m| (or replaces
 * the encryptedKey), rewritten as a new S/MIME message. */
static bool mutate_msg(const cachet_membuf *m, size_t from_end, uint8_t x, cachet_membuf *out) {
    char *head = NULL;
    size_t n = 0, at = 0;
    uint8_t *der = der_of(m, &head, &n);
    bool ok = der != NULL && n > 300;
    if (ok && from_end > 0) {
        ok = ct_byte(der, n, from_end, &at);
        if (ok) {
            der[at] ^= x;
        }
    } else if (ok) {
        /* encryptedKey of a 2048-bit RSA key: OCTET STRING of 256 bytes */
        ok = false;
        for (size_t i = 0; i + 4 + 256 <= n && !ok; i++) {
            if (der[i] == 0x04 && der[i + 1] == 0x82 && der[i + 2] == 0x01 && der[i + 3] == 0) {
                uint32_t st = 0x5eed1234u;
                for (size_t k = 0; k < 256; k++) {
                    der[i + 4 + k] = (uint8_t)cachet_test_rand(&st);
                }
                ok = true;
            }
        }
    }
    ok = ok && with_body(head, der, n, out);
    free(der);
    free(head);
    return ok;
}

/* Every failure once the DCA key was used, under each on_failure: the same
 * verdict, no SMTP text, the same quarantine decision and the same A-R value
 * (it goes into the held or delivered copy, never to the sender); nothing is
 * written for anybody but the recipient (cachetd makes no bounce, DSN or
 * notification: its result has no such channel). */
static void po03_every_decryption_failure_gives_one_answer(void) {
    REQUIRE_PKI();
    cachet_membuf cbc, gcm;
    CHECK(captured_for_dca(&cbc));
    const char *dca[] = {"dca-b", NULL};
    CHECK(encrypt_to(dca, CACHET_CIPHER_CHOICE_AES256_GCM, (const uint8_t *)PLAIN_MSG,
                     strlen(PLAIN_MSG), &gcm));
    struct {
        const char *name;
        const cachet_membuf *base;
        size_t from_end;
        uint8_t x;
    } cases[] = {
        {"cbc-padding-01", &cbc, CT_LAST, 0x01},
        {"cbc-padding-07", &cbc, CT_LAST, 0x07},
        {"cbc-padding-c8", &cbc, CT_LAST, 0xc8},
        {"cbc-block-n-1-01", &cbc, CT_PREV_BLOCK, 0x01},
        {"cbc-block-n-1-02", &cbc, CT_PREV_BLOCK, 0x02},
        {"cbc-block-n-1-80", &cbc, CT_PREV_BLOCK, 0x80},
        {"cbc-random-key", &cbc, RANDOM_KEY, 0},
        {"gcm-tag", &gcm, GCM_TAG, 0x01},
        {"gcm-ciphertext", &gcm, CT_LAST, 0x01},
        {"gcm-random-key", &gcm, RANDOM_KEY, 0},
    };
    static const char *const confs[] = {
        "[domain b.example]\non_failure = reject\n",
        "[domain b.example]\non_failure = quarantine\nquarantine = hold@b.example\n",
        "[domain b.example]\non_failure = deliver\n",
    };
    const char *to_bob[] = {BOB, NULL};
    for (size_t c = 0; c < 3; c++) {
        gw g;
        CHECK(gw_b(&g, confs[c]));
        cachetd_result first;
        memset(&first, 0, sizeof(first));
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            cachet_membuf bad;
            CHECK(mutate_msg(cases[i].base, cases[i].from_end, cases[i].x, &bad));
            cachetd_result r;
            CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", bad.data, bad.len, &r));
            bool same = r.verdict == CACHETD_CONTINUE && r.smtp_rcode[0] == '\0' &&
                        r.smtp_xcode[0] == '\0' && r.smtp_text[0] == '\0' && !r.replaced &&
                        r.new_message.data == NULL && r.quarantine == (c < 2) &&
                        contains(r.authres, "smime=fail") && !result_has_text(&r, SECRET);
            if (i == 0) {
                first = r;
            } else {
                same = same && strcmp(r.authres, first.authres) == 0 &&
                       strcmp(r.quarantine_to, first.quarantine_to) == 0;
            }
            if (!same) {
                fprintf(stderr, "%s %s: verdict %d rcode \"%s\" A-R \"%s\" | %s\n", confs[c],
                        cases[i].name, r.verdict, r.smtp_rcode, r.authres, r.summary);
                cachet_test_failures++;
            }
            if (i > 0) {
                cachetd_result_clear(&r);
            }
            cachet_membuf_free(&bad);
        }
        /* the reason in the copy names no failure class */
        CHECK(contains(first.authres, "decryption failed"));
        CHECK(!contains(first.authres, "padding") && !contains(first.authres, "tag") &&
              !contains(first.authres, "PKCS"));
        cachetd_result_clear(&first);
        gw_close(&g);
    }
    cachet_membuf_free(&cbc);
    cachet_membuf_free(&gcm);
}

/* PO-02: a message that decrypts but whose content then fails (a broken inner
 * signature) gets the same SMTP answer as one that does not decrypt, also
 * under on_failure = reject (held, not refused). */
static void po02_failure_after_decryption_is_not_refused(void) {
    REQUIRE_PKI();
    cachet_membuf sig, enc;
    CHECK(sign_msg("dsa-a", CACHET_SIGTYPE_DOMAIN, PLAIN_MSG, &sig));
    CHECK(tamper_text(&sig));
    const char *dca[] = {"dca-b", NULL};
    CHECK(encrypt_to(dca, CACHET_CIPHER_CHOICE_AES256_CBC, sig.data, sig.len, &enc));
    gw g;
    CHECK(gw_b(&g, "[domain b.example]\non_failure = reject\n"));
    const char *to_bob[] = {BOB, NULL};
    cachetd_result r;
    CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", enc.data, enc.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.smtp_rcode[0] == '\0' && r.smtp_text[0] == '\0');
    CHECK(r.quarantine);
    CHECK(contains(r.summary, "delivery=quarantine reject_withheld=decryption-oracle"));
    cachetd_result_clear(&r);
    /* a CBC block in the middle changed: the padding still holds and the text
     * decrypts garbled (here the signed structure no longer parses, so the
     * copy goes on as unsigned text: held or delivered, the sender's answer
     * is the same, and a partner with require_signature holds it, GW-02) */
    cachet_membuf cap, mid;
    CHECK(captured_for_dca(&cap));
    CHECK(mutate_msg(&cap, 200, 0x20, &mid));
    CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", mid.data, mid.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.smtp_rcode[0] == '\0' && r.smtp_text[0] == '\0');
    CHECK(contains(r.summary, "decrypted_with=" DCA_B));
    cachetd_result_clear(&r);
    cachet_membuf_free(&cap);
    cachet_membuf_free(&mid);
    /* before any key use a refusal is allowed: the same content signed but not
     * encrypted is rejected (nothing about a key can be learnt) */
    CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", sig.data, sig.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_REJECT);
    CHECK_STR(r.smtp_rcode, "550");
    cachetd_result_clear(&r);
    gw_close(&g);
    cachet_membuf_free(&sig);
    cachet_membuf_free(&enc);
}

/* OR-02 (c): a message that only after decryption turns out over a limit (a
 * compression bomb inside the envelope, 32 MiB of one letter: ratio over
 * 1000) is held like every other failure after the key was used, never
 * refused: a 5xx (and the bounce a relay would then send) would tell the
 * sender something about what decrypted. */
static void or02_limit_hit_after_decryption_is_held_not_refused(void) {
    REQUIRE_PKI();
    const size_t big = (size_t)32 << 20;
    static const char head[] = "Content-Type: text/plain\r\n\r\n";
    uint8_t *text = malloc(sizeof(head) - 1 + big);
    CHECK(text != NULL);
    if (text == NULL) {
        return;
    }
    memcpy(text, head, sizeof(head) - 1);
    memset(text + sizeof(head) - 1, 'A', big);
    cachet_membuf comp = {0}, enc;
    cachet_ctx *ctx = trust_ctx();
    cachet_compress_opts co = {0};
    cachet_sink sink = cachet_sink_membuf(&comp);
    cachet_error e;
    cachet_op *op = ctx != NULL ? cachet_compress_new(ctx, &co, &sink, &e) : NULL;
    CHECK_EQ_INT(run_whole(op, text, sizeof(head) - 1 + big, NULL), CACHET_OK);
    cachet_ctx_free(ctx);
    free(text);
    const char *dca[] = {"dca-b", NULL};
    CHECK(encrypt_to(dca, CACHET_CIPHER_CHOICE_AES256_GCM, comp.data, comp.len, &enc));
    gw g;
    CHECK(gw_b(&g, "[domain b.example]\non_failure = reject\n"));
    const char *to_bob[] = {BOB, NULL};
    cachetd_result r;
    CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", enc.data, enc.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.smtp_rcode[0] == '\0' && r.smtp_text[0] == '\0');
    CHECK(r.quarantine);
    /* the limit inside the decryption is the one uniform decryption failure */
    CHECK(starts_with(r.summary, "action=none result=fail delivery=quarantine "
                                 "reject_withheld=decryption-oracle"));
    CHECK(contains(r.authres, "smime=fail"));
    cachetd_result_clear(&r);
    /* the same bomb unencrypted is refused: no key was used */
    CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", comp.data, comp.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_REJECT);
    CHECK_STR(r.smtp_rcode, "550");
    cachetd_result_clear(&r);
    gw_close(&g);
    cachet_membuf_free(&comp);
    cachet_membuf_free(&enc);
}

static const cachet_test_case tests[] = {
    TEST_CASE(or01_captured_ciphertext_inside_attacker_mail_is_not_decrypted),
    TEST_CASE(po03_every_decryption_failure_gives_one_answer),
    TEST_CASE(po02_failure_after_decryption_is_not_refused),
    TEST_CASE(or02_limit_hit_after_decryption_is_held_not_refused),
};
TEST_MAIN(tests)
