/* Recognising S/MIME entities by their header (RFC 8551 §3.2, §3.5.3) and the
 * identity of the message (From, RFC 5322 §3.6.2). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smime/pipeline.h"

bool cachet_rd_is_multipart(const cachet_mime_ctype *ct) {
    return ct != NULL && ct->type != NULL && strcasecmp(ct->type, "multipart") == 0;
}

/* learn_from takes the identity from the outermost From (ATTACKS ID-03: exactly
 * one From field holding exactly one mailbox, compared by addr-spec only). */
void cachet_rd_learn_from(cachet_reader *rd, const cachet_membuf *from_value, size_t from_fields) {
    if (from_value->len == 0) {
        return;
    }
    cachet_mime_mailbox_list list = {0};
    if (cachet_mime_parse_mailboxes((const char *)from_value->data, from_value->len - 1, &list,
                                    NULL) != CACHET_OK) {
        return;
    }
    if (list.count >= 1) {
        snprintf(rd->from, sizeof(rd->from), "%s", list.items[0].addr_spec);
    }
    rd->from_single = from_fields == 1 && list.count == 1 && list.groups == 0 &&
                      strlen(list.items[0].addr_spec) < sizeof(rd->from);
    cachet_mime_mailbox_list_clear(&list);
}

static bool name_is_p7(const char *v, const char *ext) {
    if (v == NULL) {
        return false;
    }
    size_t n = strlen(v), e = strlen(ext);
    return n >= e && strcasecmp(v + n - e, ext) == 0;
}

/* has_p7_name: application/octet-stream named *.p7m / *.p7s (RFC 8551 §3.2.1). */
bool cachet_rd_has_p7_name(const cachet_mime_ctype *ct, const cachet_membuf *disposition,
                           const char *ext) {
    if (name_is_p7(cachet_mime_params_get(&ct->params, "name"), ext)) {
        return true;
    }
    if (disposition->len == 0) {
        return false;
    }
    cachet_mime_disposition d = {0};
    bool yes = false;
    if (cachet_mime_parse_disposition((const char *)disposition->data, disposition->len - 1, &d,
                                      NULL) == CACHET_OK) {
        yes = name_is_p7(cachet_mime_params_get(&d.params, "filename"), ext);
        cachet_mime_disposition_clear(&d);
    }
    return yes;
}

bool cachet_rd_is_pkcs7_mime(const cachet_mime_ctype *ct, const cachet_membuf *disposition) {
    return cachet_mime_ctype_is(ct, "application", "pkcs7-mime") ||
           cachet_mime_ctype_is(ct, "application", "x-pkcs7-mime") ||
           (cachet_mime_ctype_is(ct, "application", "octet-stream") &&
            cachet_rd_has_p7_name(ct, disposition, ".p7m"));
}

bool cachet_rd_is_smime_signed(const cachet_mime_ctype *ct) {
    if (!cachet_mime_ctype_is(ct, "multipart", "signed")) {
        return false;
    }
    const char *proto = cachet_mime_params_get(&ct->params, "protocol");
    return proto != NULL && (strcasecmp(proto, "application/pkcs7-signature") == 0 ||
                             strcasecmp(proto, "application/x-pkcs7-signature") == 0);
}
