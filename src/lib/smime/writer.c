/* The generating pipeline (input -> header split -> entity -> content) and the
 * output pieces shared by sign, encrypt and compress: base64 and gate sinks,
 * header framing, boundaries, CMS output in S/MIME, DER or PEM form. */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "smime/writer.h"

/* ---- base64 sink ---- */

static cachet_status b64_write(void *arg, const uint8_t *data, size_t len) {
    cachet_smime_b64 *b = arg;
    while (len > 0) {
        size_t n = len < CACHET_SMIME_B64_PIECE ? len : CACHET_SMIME_B64_PIECE;
        size_t out = cachet_mime_b64enc_update(&b->enc, data, n, b->out);
        cachet_status st = cachet_sink_write(b->down, b->out, out);
        if (st != CACHET_OK) {
            return st;
        }
        data += n;
        len -= n;
    }
    return CACHET_OK;
}

void cachet_smime_b64_init(cachet_smime_b64 *b, const cachet_sink *down) {
    cachet_mime_b64enc_init(&b->enc);
    b->down = down;
}

cachet_sink cachet_smime_b64_sink(cachet_smime_b64 *b) {
    return (cachet_sink){.write = b64_write, .close = NULL, .arg = b};
}

cachet_status cachet_smime_b64_finish(cachet_smime_b64 *b) {
    uint8_t tail[CACHET_MIME_B64ENC_FINISH_MAX];
    size_t n = cachet_mime_b64enc_finish(&b->enc, tail);
    return cachet_sink_write(b->down, tail, n);
}

/* ---- gate sink ---- */

static cachet_status gate_write(void *arg, const uint8_t *data, size_t len) {
    cachet_smime_gate *g = arg;
    if (g->open) {
        return cachet_sink_write(g->down, data, len);
    }
    return cachet_membuf_append_status(&g->held, data, len);
}

void cachet_smime_gate_init(cachet_smime_gate *g, const cachet_sink *down) {
    memset(g, 0, sizeof(*g));
    g->down = down;
    g->held.max = CACHET_SMIME_MAX_GATE;
}

cachet_sink cachet_smime_gate_sink(cachet_smime_gate *g) {
    return (cachet_sink){.write = gate_write, .close = NULL, .arg = g};
}

cachet_status cachet_smime_gate_open(cachet_smime_gate *g) {
    if (g->open) {
        return CACHET_OK;
    }
    g->open = true;
    cachet_status st = cachet_sink_write(g->down, g->held.data, g->held.len);
    cachet_membuf_free(&g->held);
    return st;
}

void cachet_smime_gate_free(cachet_smime_gate *g) {
    cachet_membuf_free(&g->held);
}

/* ---- framing ---- */

cachet_status cachet_smime_write_str(const cachet_sink *out, const char *s, cachet_error *err) {
    cachet_status st = cachet_sink_write(out, (const uint8_t *)s, strlen(s));
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, "output", -1, "writing the output failed");
    }
    return CACHET_OK;
}

cachet_status cachet_smime_write_header(const cachet_sink *out, const cachet_smime_split *split,
                                        const char *content_fields, cachet_error *err) {
    cachet_status st = cachet_sink_write(out, split->outer.data, split->outer.len);
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, "output", -1, "writing the output failed");
    }
    st = cachet_smime_write_str(out, "MIME-Version: 1.0\r\n", err);
    if (st == CACHET_OK) {
        st = cachet_smime_write_str(out, content_fields, err);
    }
    if (st == CACHET_OK) {
        st = cachet_smime_write_str(out, "\r\n", err);
    }
    return st;
}

cachet_status cachet_smime_make_boundary(char *out, size_t out_size, cachet_error *err) {
    uint8_t rnd[16];
    cachet_status st = cachet_random(rnd, sizeof(rnd), err);
    if (st != CACHET_OK) {
        return st;
    }
    if (!cachet_mime_make_boundary(rnd, sizeof(rnd), out, out_size)) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "boundary", -1, "cannot make a boundary");
    }
    return CACHET_OK;
}

void cachet_smime_pkcs7_mime_fields(const char *smime_type, char *out, size_t out_size) {
    /* RFC 8551 §3.2.1: name and filename parameters with the .p7m extension.
     * §3.2.2 defines no smime-type for EncryptedData or DigestedData: none then. */
    if (smime_type == NULL) {
        snprintf(out, out_size,
                 "Content-Type: application/pkcs7-mime; name=smime.p7m\r\n"
                 "Content-Transfer-Encoding: base64\r\n"
                 "Content-Disposition: attachment; filename=smime.p7m\r\n");
        return;
    }
    snprintf(out, out_size,
             "Content-Type: application/pkcs7-mime; smime-type=%s;\r\n name=smime.p7m\r\n"
             "Content-Transfer-Encoding: base64\r\n"
             "Content-Disposition: attachment; filename=smime.p7m\r\n",
             smime_type);
}

/* ---- CMS output ---- */

cachet_status cachet_smime_cms_out_init(cachet_smime_cms_out *co, cachet_format format,
                                        const cachet_sink *out, cachet_error *err) {
    memset(co, 0, sizeof(*co));
    co->format = format;
    switch (format) {
        case CACHET_FORMAT_SMIME:
            cachet_smime_b64_init(&co->b64, out);
            co->b64_sink = cachet_smime_b64_sink(&co->b64);
            cachet_smime_gate_init(&co->gate, &co->b64_sink);
            co->gated = true;
            co->sink = cachet_smime_gate_sink(&co->gate);
            return CACHET_OK;
        case CACHET_FORMAT_DER:
            co->sink = *out;
            return CACHET_OK;
        case CACHET_FORMAT_PEM:
            co->pem = cachet_pem_writer_new(CACHET_PEM_LABEL_CMS, out, err);
            if (co->pem == NULL) {
                return err != NULL && err->status != CACHET_OK ? err->status : CACHET_ERR_NOMEM;
            }
            co->sink = cachet_pem_writer_sink(co->pem);
            return CACHET_OK;
    }
    return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "unknown output format %d", (int)format);
}

cachet_status cachet_smime_cms_out_open(cachet_smime_cms_out *co) {
    return co->gated ? cachet_smime_gate_open(&co->gate) : CACHET_OK;
}

cachet_status cachet_smime_cms_out_finish(cachet_smime_cms_out *co, cachet_error *err) {
    cachet_status st = CACHET_OK;
    if (co->format == CACHET_FORMAT_SMIME) {
        st = cachet_smime_cms_out_open(co);
        if (st == CACHET_OK) {
            st = cachet_smime_b64_finish(&co->b64);
        }
        if (st != CACHET_OK) {
            st = cachet_err_set(err, st, "output", -1, "writing the output failed");
        }
    } else if (co->format == CACHET_FORMAT_PEM) {
        st = cachet_pem_writer_finish(co->pem, err);
    }
    return st;
}

void cachet_smime_cms_out_free(cachet_smime_cms_out *co) {
    cachet_smime_gate_free(&co->gate);
    cachet_pem_writer_free(co->pem);
    co->pem = NULL;
}

/* ---- the pipeline ---- */

/* entity_refused turns a failure of the checking parser into the error of the
 * operation. */
static cachet_status entity_refused(cachet_smime_gen *g, cachet_status st) {
    const cachet_error *pe = cachet_mime_parser_error(g->check);
    if (pe->status == CACHET_OK) {
        return cachet_err_set(g->err, st, "input", -1, "reading the message as MIME failed");
    }
    if (pe->status == CACHET_ERR_LIMIT) {
        return cachet_err_set(g->err, pe->status, "input", -1, "%s, the limit verify applies too",
                              pe->message);
    }
    return cachet_err_set(g->err, pe->status, "input", -1,
                          "%s: a reader would refuse the message (cachet verify does); correct "
                          "its MIME structure",
                          pe->message);
}

/* check_header_end: the entity's own header is all a reader checks. Verify passes
 * the entity inside a signed layer on as it is, neither descending into it nor
 * decoding it (its transfer encodings are the mail reader's business), and
 * decrypt does the same with any entity. */
static cachet_status check_header_end(void *arg, const cachet_mime_part_info *info, bool *descend) {
    cachet_smime_gen *g = arg;
    (void)info;
    *descend = false;
    cachet_mime_parser_skip_decode(g->check);
    g->entity_checked = true;
    return CACHET_OK;
}

static cachet_status content_write(void *arg, const uint8_t *data, size_t len) {
    cachet_smime_gen *g = arg;
    if (!g->entity_checked) {
        cachet_status st = cachet_mime_parser_update(g->check, data, len);
        if (st != CACHET_OK) {
            return entity_refused(g, st);
        }
    }
    return g->content(g->arg, data, len);
}

void cachet_smime_gen_init(cachet_smime_gen *g, const cachet_ctx *ctx, bool raw, bool seven_bit,
                           cachet_status (*begin)(void *, cachet_error *),
                           cachet_status (*content)(void *, const uint8_t *, size_t), void *arg,
                           cachet_error *err) {
    memset(g, 0, sizeof(*g));
    g->raw = raw;
    g->seven_bit = seven_bit;
    g->begin = begin;
    g->content = content;
    g->arg = arg;
    g->err = err;
    cachet_smime_split_init(&g->split, ctx->limits.max_header_bytes);
    g->mlimits = cachet_ctx_mime_limits(ctx);
}

static cachet_status start_entity(cachet_smime_gen *g) {
    g->begun = true;
    cachet_mime_callbacks cb = {.arg = g, .headers_end = check_header_end};
    g->check = cachet_mime_parser_new(&g->mlimits, &cb);
    if (g->check == NULL) {
        return cachet_err_set(g->err, CACHET_ERR_NOMEM, "input", -1, "out of memory");
    }
    cachet_status st = g->begin(g->arg, g->err);
    if (st != CACHET_OK) {
        return st;
    }
    cachet_sink target = {.write = content_write, .close = NULL, .arg = g};
    st = cachet_smime_entity_begin(&g->entity, &g->split, g->seven_bit, &target, g->err);
    if (st == CACHET_OK && g->split.leftover.len > 0) {
        st = cachet_smime_entity_body(&g->entity, g->split.leftover.data, g->split.leftover.len,
                                      g->err);
        cachet_membuf_free(&g->split.leftover);
    }
    return st;
}

cachet_status cachet_smime_gen_update(cachet_smime_gen *g, const uint8_t *data, size_t len) {
    if (g->raw) {
        if (!g->begun) {
            g->begun = true;
            cachet_status st = g->begin(g->arg, g->err);
            if (st != CACHET_OK) {
                return st;
            }
        }
        return g->content(g->arg, data, len);
    }
    if (!g->split.done) {
        size_t used = 0;
        cachet_status st = cachet_smime_split_push(&g->split, data, len, &used, g->err);
        if (st != CACHET_OK) {
            return st;
        }
        data += used;
        len -= used;
        if (!g->split.done) {
            return CACHET_OK;
        }
        st = start_entity(g);
        if (st != CACHET_OK) {
            return st;
        }
    }
    return len > 0 ? cachet_smime_entity_body(&g->entity, data, len, g->err) : CACHET_OK;
}

cachet_status cachet_smime_gen_finish(cachet_smime_gen *g) {
    if (g->raw) {
        if (!g->begun) {
            g->begun = true;
            return g->begin(g->arg, g->err);
        }
        return CACHET_OK;
    }
    cachet_status st = CACHET_OK;
    if (!g->split.done) {
        st = cachet_smime_split_end(&g->split, g->err);
        if (st == CACHET_OK) {
            st = start_entity(g);
        }
    }
    if (st == CACHET_OK) {
        st = cachet_smime_entity_finish(&g->entity, g->err);
    }
    if (st == CACHET_OK && !g->entity_checked) {
        st = cachet_mime_parser_finish(g->check);
        if (st != CACHET_OK) {
            st = entity_refused(g, st);
        }
    }
    return st;
}

void cachet_smime_gen_free(cachet_smime_gen *g) {
    cachet_mime_parser_free(g->check);
    g->check = NULL;
    cachet_smime_entity_free(&g->entity);
    cachet_smime_split_free(&g->split);
}
